import { AppError, canSee, Permission, type ChannelOverridesArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { findChannel } from '../channels/queries.ts';
import { writeAudit } from '../audit/log.ts';
import {
  actorOf,
  lockedAccess,
  requireAbove,
  requireBitsHeld,
  requirePermission,
  requireRoleBelow,
} from '../permissions/guard.ts';
import { communityResult, emitChannels, emitVisibility } from './emit.ts';

/**
 * `channel.overrides`: sets (or with `allow = deny = 0` removes) one override.
 * Needs manage roles in the channel; only bits the actor holds there may change.
 */
export async function setChannelOverride(
  ctx: MutationContext,
  args: ChannelOverridesArgs,
): Promise<MutationResult> {
  const access = await lockedAccess(ctx.tx);
  const actor = actorOf(access, ctx.userId);
  const channel = await findChannel(ctx.tx, args.channelId);
  const perms = access.channel(ctx.userId, args.channelId, ctx.now.getTime());
  if (!channel || channel.deleted_at !== null || !canSee(perms)) {
    throw new AppError('not_found', 'No such channel.');
  }
  if (channel.kind === 'thread') {
    throw new AppError('invalid', 'channelId: a thread follows its parent channel');
  }
  requirePermission(perms, Permission.manageRoles);
  if ((args.allow & args.deny) !== 0) {
    throw new AppError('invalid', 'allow and deny must not share a permission');
  }
  if (args.targetType === 'role') {
    const role = access.data.community.roles.get(args.targetId);
    if (!role) throw new AppError('not_found', 'No such role.');
    if (args.targetId !== access.data.community.everyoneRoleId) {
      requireRoleBelow(access, actor, role);
    }
  } else {
    const target = access.member(args.targetId);
    if (!target) throw new AppError('not_found', 'No such member.');
    if (target.userId !== actor.userId) requireAbove(access, actor, target);
  }
  const { rows } = await ctx.tx.query<{ allow: number; deny: number }>(
    `SELECT allow, deny FROM channel_overrides
     WHERE channel_id = $1 AND target_type = $2 AND target_id = $3`,
    [args.channelId, args.targetType, args.targetId],
  );
  const old = rows[0] ?? { allow: 0, deny: 0 };
  requireBitsHeld(perms, (old.allow ^ args.allow) | (old.deny ^ args.deny), 'allow/deny');
  if (old.allow === args.allow && old.deny === args.deny) return {};
  if (args.allow === 0 && args.deny === 0) {
    await ctx.tx.query(
      'DELETE FROM channel_overrides WHERE channel_id = $1 AND target_type = $2 AND target_id = $3',
      [args.channelId, args.targetType, args.targetId],
    );
  } else {
    await ctx.tx.query(
      `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (channel_id, target_type, target_id) DO UPDATE SET allow = $4, deny = $5`,
      [args.channelId, args.targetType, args.targetId, args.allow, args.deny],
    );
  }
  const changed = await emitVisibility(ctx.tx, ctx.changes, access, ctx.now.getTime());
  if (!changed.includes(args.channelId)) await emitChannels(ctx.tx, ctx.changes, [args.channelId]);
  await writeAudit(ctx.tx, {
    actorId: ctx.userId,
    action: 'channel.overrides',
    targetType: 'channel',
    targetId: args.channelId,
    data: {
      targetType: args.targetType,
      targetId: args.targetId,
      allow: args.allow,
      deny: args.deny,
    },
  });
  return communityResult(ctx);
}
