import {
  AppError,
  Limits,
  type DmAddArgs,
  type DmLeaveArgs,
  type DmRemoveArgs,
  type DmRenameArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import {
  addParticipants,
  emitDm,
  ownDm,
  ownGroup,
  participantsOf,
  requireReachable,
} from './rules.ts';

/** `dm.rename`: any participant names the group (empty: no name). */
export async function renameDm(ctx: MutationContext, args: DmRenameArgs): Promise<MutationResult> {
  const row = await ownGroup(ctx, args.id);
  const name = args.name.trim();
  if (row.name === name) return {};
  await ctx.tx.query('UPDATE channels SET name = $2 WHERE id = $1', [args.id, name]);
  return emitDm(ctx, args.id);
}

/** `dm.add`: any participant adds people, up to 10 in all; those already in are skipped. */
export async function addToDm(ctx: MutationContext, args: DmAddArgs): Promise<MutationResult> {
  await ownGroup(ctx, args.id);
  const present = new Set(await participantsOf(ctx, args.id));
  const added = [...new Set(args.userIds)].filter((u) => !present.has(u));
  if (added.length === 0) return {};
  if (present.size + added.length > Limits.dmParticipants) {
    throw new AppError('invalid', `userIds: at most ${Limits.dmParticipants} people in all`);
  }
  for (const userId of added) await requireReachable(ctx, userId);
  await addParticipants(ctx, args.id, added);
  return emitDm(ctx, args.id);
}

/** `dm.remove`: the group's owner removes someone (not themselves: that is `dm.leave`). */
export async function removeFromDm(
  ctx: MutationContext,
  args: DmRemoveArgs,
): Promise<MutationResult> {
  const row = await ownGroup(ctx, args.id);
  if (row.dm_owner_id !== ctx.userId) {
    throw new AppError('forbidden', 'Only the owner of this group removes people.');
  }
  if (args.userId === ctx.userId) throw new AppError('invalid', 'userId: leave instead');
  const { rowCount } = await ctx.tx.query(
    'DELETE FROM dm_participants WHERE channel_id = $1 AND user_id = $2',
    [args.id, args.userId],
  );
  if (!rowCount) throw new AppError('not_found', 'No such participant.');
  return emitDm(ctx, args.id, [args.userId]);
}

/**
 * `dm.leave`: the actor leaves a group (a timed-out member too). When the
 * owner leaves, the longest-standing participant becomes owner; the last to
 * leave leaves the conversation to no one, and it stays, unseen.
 */
export async function leaveDm(ctx: MutationContext, args: DmLeaveArgs): Promise<MutationResult> {
  const row = await ownDm(ctx, args.id);
  if (!row.dm_group) throw new AppError('invalid', 'id: a 1:1 conversation cannot be left');
  await ctx.tx.query('DELETE FROM dm_participants WHERE channel_id = $1 AND user_id = $2', [
    args.id,
    ctx.userId,
  ]);
  if (row.dm_owner_id === ctx.userId) {
    const [next] = await participantsOf(ctx, args.id);
    await ctx.tx.query('UPDATE channels SET dm_owner_id = $2 WHERE id = $1', [
      args.id,
      next ?? null,
    ]);
  }
  return emitDm(ctx, args.id, [ctx.userId]);
}
