import { AppError, dmId, userScope, type UserBlockArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { iso } from '../../db/timestamps.ts';
import { findChannel } from '../channels/queries.ts';
import { emitDm } from './rules.ts';

/**
 * `user.block`: blocks or unblocks someone (setting the state it has is a
 * no-op). The block reaches the blocker's devices through their own scope
 * only; a 1:1 conversation between the two turns read-only (or writable
 * again) for both, which its re-sent channel (in both people's scopes) makes
 * every node re-check.
 */
export async function blockUser(
  ctx: MutationContext,
  args: UserBlockArgs,
): Promise<MutationResult> {
  if (args.userId === ctx.userId) throw new AppError('invalid', 'userId: that is you');
  const { rows: users } = await ctx.tx.query('SELECT 1 FROM users WHERE id = $1', [args.userId]);
  if (users.length === 0) throw new AppError('not_found', 'No such user.');
  const scope = userScope(ctx.userId);
  const dm = dmId(ctx.userId, args.userId);
  const hasDm = (await findChannel(ctx.tx, dm)) !== undefined;
  // The DM access counter is locked before any user scope (see `bumpDmAccess`).
  if (hasDm) await ctx.changes.bumpDmAccess(ctx.tx);
  if (args.blocked) {
    const { rows } = await ctx.tx.query<{ created_at: Date | string }>(
      `INSERT INTO user_blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING created_at`,
      [ctx.userId, args.userId, ctx.now],
    );
    const row = rows[0];
    if (!row) return {};
    await ctx.changes.append(ctx.tx, scope, [
      {
        op: 'upsert',
        entity: 'block',
        id: args.userId,
        data: { id: args.userId, createdAt: iso(row.created_at) },
      },
    ]);
  } else {
    const { rowCount } = await ctx.tx.query(
      'DELETE FROM user_blocks WHERE user_id = $1 AND blocked_id = $2',
      [ctx.userId, args.userId],
    );
    if (!rowCount) return {};
    await ctx.changes.append(ctx.tx, scope, [{ op: 'delete', entity: 'block', id: args.userId }]);
  }
  if (hasDm) await emitDm(ctx, dm);
  const version = ctx.changes.lastVersion(scope);
  return { scope, ...(version === undefined ? {} : { version }) };
}
