import { AppError, userScope } from '@echora/shared';
import { scopeVersion } from '../../write/feed.ts';
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
 * Sends the conversation (its participants changed, or its name) to its
 * participants' own scopes, and a tombstone to each of `removed` (someone
 * who left or was removed), so nobody else receives a frame or sees a
 * version move. It takes the next DM access version, so every node's
 * permission cache reloads, and the sessions of those users re-check what
 * they may see: someone added bootstraps it, someone removed gets a revoke.
 * The ack names the actor's scope.
 */
export async function emitDm(
  ctx: MutationContext,
  id: string,
  removed: readonly string[] = [],
): Promise<MutationResult> {
  await ctx.changes.bumpDmAccess(ctx.tx);
  const row = await findChannel(ctx.tx, id);
  if (!row) throw new Error(`dm ${id} vanished`);
  ctx.changes.accessChannels.add(id);
  const data = toChannel(row);
  const gone = new Set(removed);
  // In id order, so two writers that share people lock their scopes in the same order.
  const users = [...new Set([...(row.participants ?? []), ...removed])].sort();
  for (const userId of users) {
    await ctx.changes.append(ctx.tx, userScope(userId), [
      gone.has(userId)
        ? { op: 'delete', entity: 'channel', id }
        : { op: 'upsert', entity: 'channel', id, data },
    ]);
  }
  return actorResult(ctx);
}

/** The ack's scope and version: the actor's own scope, where their conversations arrive. */
export async function actorResult(ctx: MutationContext): Promise<MutationResult> {
  const scope = userScope(ctx.userId);
  const version = ctx.changes.lastVersion(scope) ?? (await scopeVersion(ctx.tx, scope));
  return { scope, version };
}
