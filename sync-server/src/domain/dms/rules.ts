import { AppError, COMMUNITY_SCOPE } from '@echora/shared';
import {
  StaleAccessError,
  type MutationContext,
  type MutationResult,
} from '../../write/context.ts';
import { findChannel, toChannel, type ChannelRow } from '../channels/queries.ts';
import { visibleChannel } from '../channels/visible.ts';
import { readUserSettings } from '../settings/queries.ts';

/** The same answer for a refused person whatever the reason (a block is not told apart). */
export const refusesDms = () =>
  new AppError('forbidden', 'This person does not accept direct messages from you.');

/**
 * A member `userId` may be added to a conversation by the actor: a live
 * member (not the actor, kicked or banned: "not found"), neither blocking the
 * other, and accepting DMs from the actor (their `dms` setting: anyone, or
 * only people who share a role with them).
 */
export async function requireReachable(ctx: MutationContext, userId: string): Promise<void> {
  if (userId === ctx.userId) throw new AppError('invalid', 'userId: that is you');
  const target = ctx.access.member(userId);
  if (!target) {
    const { rows } = await ctx.tx.query(
      'SELECT 1 FROM members WHERE user_id = $1 AND banned_at IS NULL',
      [userId],
    );
    // Joined a moment ago on another node: reload and run again.
    if (rows.length > 0) throw new StaleAccessError();
    throw new AppError('not_found', 'No such member.');
  }
  // Read here, not from the permission cache: a block between two people with
  // no conversation yet changes no community version, so no cache reloads.
  const { rows: blocked } = await ctx.tx.query(
    `SELECT 1 FROM user_blocks
     WHERE (user_id = $1 AND blocked_id = $2) OR (user_id = $2 AND blocked_id = $1)`,
    [userId, ctx.userId],
  );
  if (blocked.length > 0) throw refusesDms();
  const settings = await readUserSettings(ctx.tx, userId);
  if (settings?.dms === 'sharedRole') {
    const everyone = ctx.access.data.community.everyoneRoleId;
    const mine = new Set(ctx.access.member(ctx.userId)?.roleIds ?? []);
    if (!target.roleIds.some((r) => r !== everyone && mine.has(r))) throw refusesDms();
  }
}

/** A timed-out member starts no conversation and changes no group. */
export function requireNotTimedOut(ctx: MutationContext): void {
  const member = ctx.access.member(ctx.userId);
  if (member?.timedOutUntil && member.timedOutUntil > ctx.now.getTime()) {
    throw new AppError('forbidden', 'You are timed out.');
  }
}

/**
 * A live direct conversation the actor takes part in, locked. Any other id
 * (a channel, someone else's conversation) is the same "not found" as an id
 * nobody used.
 */
export async function ownDm(ctx: MutationContext, id: string): Promise<ChannelRow> {
  const { row } = await visibleChannel(ctx, id);
  if (row.kind !== 'dm') throw new AppError('not_found', 'No such channel.');
  return row;
}

/** A group conversation the actor takes part in and may write to (not a 1:1 one). */
export async function ownGroup(ctx: MutationContext, id: string): Promise<ChannelRow> {
  const row = await ownDm(ctx, id);
  if (!row.dm_group) {
    throw new AppError('invalid', 'id: a 1:1 conversation has no members to change');
  }
  requireNotTimedOut(ctx);
  return row;
}

/** Participants of a conversation as the database has them now, oldest first. */
export async function participantsOf(ctx: MutationContext, id: string): Promise<string[]> {
  const { rows } = await ctx.tx.query<{ user_id: string }>(
    'SELECT user_id FROM dm_participants WHERE channel_id = $1 ORDER BY added_at, user_id',
    [id],
  );
  return rows.map((r) => r.user_id);
}

export async function addParticipants(
  ctx: MutationContext,
  id: string,
  userIds: readonly string[],
): Promise<void> {
  await ctx.tx.query(
    `INSERT INTO dm_participants (channel_id, user_id, added_at)
     SELECT $1, u, $3 FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING`,
    [id, userIds, ctx.now],
  );
}

/**
 * Sends the conversation (its participants changed, or its name) through the
 * community feed: only its participants receive it, and sessions re-check
 * what they may see, so someone added bootstraps it and someone removed gets
 * a revoke.
 */
export async function emitDm(ctx: MutationContext, id: string): Promise<MutationResult> {
  const row = await findChannel(ctx.tx, id);
  if (!row) throw new Error(`dm ${id} vanished`);
  ctx.changes.accessChannels.add(id);
  await ctx.changes.append(ctx.tx, COMMUNITY_SCOPE, [
    { op: 'upsert', entity: 'channel', id, data: toChannel(row) },
  ]);
  const version = ctx.changes.lastVersion(COMMUNITY_SCOPE);
  return version === undefined ? {} : { scope: COMMUNITY_SCOPE, version };
}
