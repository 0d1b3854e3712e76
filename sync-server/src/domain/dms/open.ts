import {
  AppError,
  channelScope,
  dmId,
  Limits,
  type DmCreateArgs,
  type DmOpenArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { findChannel } from '../channels/queries.ts';
import {
  actorResult,
  addParticipants,
  emitDm,
  requireNotTimedOut,
  requireReachable,
} from './rules.ts';

async function insertDm(
  ctx: MutationContext,
  id: string,
  name: string,
  ownerId: string | null,
): Promise<boolean> {
  const { rows } = await ctx.tx.query(
    `INSERT INTO channels (id, kind, name, topic, position, created_at, dm_owner_id, dm_group)
     VALUES ($1, 'dm', $2, '', 0, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [id, name, ctx.now, ownerId, ownerId !== null],
  );
  if (rows.length === 0) return false;
  await ctx.tx.query('INSERT INTO scopes (scope, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [
    channelScope(id),
  ]);
  return true;
}

/**
 * `dm.open`: the 1:1 conversation with `userId`, made once. Its id comes from
 * the two user ids (never from the client), so both sides starting it at once,
 * online or offline, make one row; opening one that exists changes nothing.
 */
export async function openDm(ctx: MutationContext, args: DmOpenArgs): Promise<MutationResult> {
  if (args.userId === ctx.userId) throw new AppError('invalid', 'userId: that is you');
  const id = dmId(ctx.userId, args.userId);
  const existing = await findChannel(ctx.tx, id);
  if (existing) {
    // Only its two people can ever hold this id: it is theirs, whatever its state.
    if (existing.kind !== 'dm') throw new Error(`dm id ${id} taken by a ${existing.kind}`);
    // The ack names a version of the actor's scope the row is in (the other
    // side may have made it a moment ago): the client keeps its optimistic row until then.
    return actorResult(ctx);
  }
  requireNotTimedOut(ctx);
  await requireReachable(ctx, args.userId);
  if (!(await insertDm(ctx, id, '', null))) return {};
  await addParticipants(ctx, id, [ctx.userId, args.userId]);
  return emitDm(ctx, id);
}

/** `dm.create`: a group conversation of the actor and `userIds` (at most 10 people). */
export async function createGroupDm(
  ctx: MutationContext,
  args: DmCreateArgs,
): Promise<MutationResult> {
  const others = [...new Set(args.userIds)].filter((u) => u !== ctx.userId);
  if (others.length === 0) throw new AppError('invalid', 'userIds: name someone else');
  if (others.length + 1 > Limits.dmParticipants) {
    throw new AppError('invalid', `userIds: at most ${Limits.dmParticipants} people in all`);
  }
  if (await findChannel(ctx.tx, args.id)) {
    throw new AppError('conflict', 'A channel with this id already exists.');
  }
  requireNotTimedOut(ctx);
  for (const userId of others) await requireReachable(ctx, userId);
  await insertDm(ctx, args.id, (args.name ?? '').trim(), ctx.userId);
  await addParticipants(ctx, args.id, [ctx.userId, ...others]);
  return emitDm(ctx, args.id);
}
