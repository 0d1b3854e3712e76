import { AppError, canSee } from '@echora/shared';
import { StaleAccessError, type MutationContext } from '../../write/context.ts';
import { findChannel, type ChannelRow } from './queries.ts';

/**
 * Whether the user may see channel `id` as the database has it now: false
 * for a deleted or unknown one. Throws {@link StaleAccessError} for a live
 * channel the permission cache does not know yet (made on another node a
 * moment ago), so the dispatcher reloads and runs the mutation again.
 */
export async function seesChannel(ctx: MutationContext, id: string): Promise<boolean> {
  if (ctx.access.data.channels.has(id)) {
    return canSee(ctx.access.channel(ctx.userId, id, ctx.now.getTime()));
  }
  const row = await findChannel(ctx.tx, id);
  if (row && row.deleted_at === null) throw new StaleAccessError();
  return false;
}

/**
 * A live channel the user may see, locked until the transaction ends, with
 * their permissions in it. A channel they may not see is "not found", word
 * for word as one that never existed, so its existence does not leak.
 */
export async function visibleChannel(
  ctx: MutationContext,
  id: string,
): Promise<{ row: ChannelRow; perms: number }> {
  const row = await findChannel(ctx.tx, id, true);
  if (!row || row.deleted_at !== null) throw new AppError('not_found', 'No such channel.');
  if (!ctx.access.data.channels.has(id)) throw new StaleAccessError();
  const perms = ctx.access.channel(ctx.userId, id, ctx.now.getTime());
  if (!canSee(perms)) throw new AppError('not_found', 'No such channel.');
  return { row, perms };
}
