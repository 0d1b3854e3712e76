import { AppError, channelScope, COMMUNITY_SCOPE, Permission } from '@echora/shared';
import type {
  BanBody,
  BanList,
  KickBody,
  TimeoutBody,
  TimeoutResponse,
} from '@echora/shared/protocol/rest/moderation';
import type { Queryable } from '../../db/types.ts';
import type { FeedEntry } from '../../write/feed.ts';
import { iso } from '../../db/timestamps.ts';
import { writeAudit } from '../audit/log.ts';
import { findFormerMember } from '../members/queries.ts';
import { actorOf, requireAbove, requirePermission, targetOf } from '../permissions/guard.ts';
import { emitMembers, emitVisibility } from '../roles/emit.ts';
import type { CommunityWrite } from './write.ts';

/**
 * The actor, checked for `bit` and for standing above the target (a former
 * or unknown user counts as having no roles). It runs before any check of the
 * target's existence or state, so those answers go only to moderators.
 */
function authorize(w: CommunityWrite, actorId: string, targetId: string, bit: number) {
  const actor = actorOf(w.access, actorId);
  requirePermission(w.access.base(actorId, w.now.getTime()), bit);
  const target = targetOf(w.access, targetId);
  requireAbove(w.access, actor, target);
  return target;
}

/** Every refresh token of the user stops working: they must log in again. */
async function endSessions(tx: Queryable, userId: string): Promise<void> {
  await tx.query(
    'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL',
    [userId],
  );
}

/** The former member's name, so members still see who wrote their messages. */
async function formerMemberRow(tx: Queryable, userId: string): Promise<FeedEntry[]> {
  const data = await findFormerMember(tx, userId);
  return data ? [{ op: 'upsert', entity: 'formerMember', id: userId, data }] : [];
}

/** Kick: membership and roles gone, sessions ended, sockets closed (after commit). */
export async function kick(w: CommunityWrite, actorId: string, body: KickBody): Promise<void> {
  // Permission first: whether someone is a member (or banned) is not a non-moderator's to learn.
  authorize(w, actorId, body.userId, Permission.kickMembers);
  if (!w.access.member(body.userId)) throw new AppError('not_found', 'No such member.');
  await w.tx.query('DELETE FROM member_roles WHERE user_id = $1', [body.userId]);
  await w.tx.query('DELETE FROM members WHERE user_id = $1', [body.userId]);
  await endSessions(w.tx, body.userId);
  await w.changes.append(w.tx, COMMUNITY_SCOPE, [
    { op: 'delete', entity: 'member', id: body.userId },
    ...(await formerMemberRow(w.tx, body.userId)),
  ]);
  await emitVisibility(w.tx, w.changes, w.access, w.now.getTime());
  await writeAudit(w.tx, {
    actorId,
    action: 'member.kick',
    targetType: 'user',
    targetId: body.userId,
    reason: body.reason,
  });
}

/**
 * Ban: like a kick, and the user cannot log in or join again until unbanned.
 * Their messages of the last `deleteMessagesHours` become tombstones.
 */
export async function ban(w: CommunityWrite, actorId: string, body: BanBody): Promise<void> {
  authorize(w, actorId, body.userId, Permission.banMembers);
  const user = await w.tx.query('SELECT 1 FROM users WHERE id = $1', [body.userId]);
  if (user.rows.length === 0) throw new AppError('not_found', 'No such user.');
  if (w.access.data.members.get(body.userId)?.isBanned) {
    throw new AppError('conflict', 'This user is already banned.');
  }
  const wasMember = w.access.member(body.userId) !== undefined;
  await w.tx.query('DELETE FROM member_roles WHERE user_id = $1', [body.userId]);
  await w.tx.query(
    `INSERT INTO members (user_id, banned_at, ban_reason, banned_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE
       SET banned_at = $2, ban_reason = $3, banned_by = $4, timed_out_until = NULL`,
    [body.userId, w.now, body.reason?.trim() || null, actorId],
  );
  await endSessions(w.tx, body.userId);
  await w.changes.append(w.tx, COMMUNITY_SCOPE, [
    ...(wasMember ? [{ op: 'delete' as const, entity: 'member' as const, id: body.userId }] : []),
    ...(await formerMemberRow(w.tx, body.userId)),
  ]);
  const deleted = await deleteRecentMessages(w, body.userId, body.deleteMessagesHours ?? 0);
  await emitVisibility(w.tx, w.changes, w.access, w.now.getTime());
  w.changes.accessAll = true;
  await writeAudit(w.tx, {
    actorId,
    action: 'member.ban',
    targetType: 'user',
    targetId: body.userId,
    reason: body.reason,
    data: { deleteMessagesHours: body.deleteMessagesHours ?? 0, deletedMessages: deleted },
  });
}

/** Tombstones for the user's messages of the last `hours`, in each channel's feed. */
async function deleteRecentMessages(
  w: CommunityWrite,
  userId: string,
  hours: number,
): Promise<number> {
  if (hours <= 0) return 0;
  const since = new Date(w.now.getTime() - hours * 3_600_000);
  const { rows } = await w.tx.query<{ id: string; channel_id: string }>(
    `UPDATE messages SET deleted_at = $3, search = NULL
     WHERE author_id = $1 AND created_at >= $2 AND deleted_at IS NULL
     RETURNING id, channel_id`,
    [userId, since, w.now],
  );
  const byChannel = new Map<string, string[]>();
  for (const r of rows) byChannel.set(r.channel_id, [...(byChannel.get(r.channel_id) ?? []), r.id]);
  for (const [channelId, ids] of byChannel) {
    await w.changes.append(
      w.tx,
      channelScope(channelId),
      ids.map((id) => ({ op: 'delete' as const, entity: 'message' as const, id })),
    );
  }
  return rows.length;
}

/** Unban: the user is no member; they may join again (invite, or login when open). */
export async function unban(w: CommunityWrite, actorId: string, userId: string): Promise<void> {
  actorOf(w.access, actorId);
  requirePermission(w.access.base(actorId, w.now.getTime()), Permission.banMembers);
  const { rowCount } = await w.tx.query(
    'DELETE FROM members WHERE user_id = $1 AND banned_at IS NOT NULL',
    [userId],
  );
  if (rowCount === 0) throw new AppError('not_found', 'This user is not banned.');
  await writeAudit(w.tx, { actorId, action: 'member.unban', targetType: 'user', targetId: userId });
}

export async function listBans(w: CommunityWrite, actorId: string): Promise<BanList> {
  actorOf(w.access, actorId);
  requirePermission(w.access.base(actorId, w.now.getTime()), Permission.banMembers);
  const { rows } = await w.tx.query<{
    user_id: string;
    username: string;
    display_name: string;
    ban_reason: string | null;
    banned_by: string | null;
    banned_at: Date | string;
  }>(
    `SELECT m.user_id, u.username, u.display_name, m.ban_reason, m.banned_by, m.banned_at
     FROM members m JOIN users u ON u.id = m.user_id
     WHERE m.banned_at IS NOT NULL ORDER BY m.banned_at DESC, m.user_id`,
  );
  return {
    bans: rows.map((r) => ({
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      reason: r.ban_reason,
      bannedBy: r.banned_by,
      bannedAt: iso(r.banned_at),
    })),
  };
}

/** Timeout: no sending, reacting, speaking or streaming until then; 0 minutes clears. */
export async function timeout(
  w: CommunityWrite,
  actorId: string,
  body: TimeoutBody,
): Promise<TimeoutResponse> {
  authorize(w, actorId, body.userId, Permission.timeoutMembers);
  if (!w.access.member(body.userId)) throw new AppError('not_found', 'No such member.');
  const until = body.minutes === 0 ? null : new Date(w.now.getTime() + body.minutes * 60_000);
  await w.tx.query('UPDATE members SET timed_out_until = $2 WHERE user_id = $1', [
    body.userId,
    until,
  ]);
  await emitMembers(w.tx, w.changes, [body.userId]);
  await writeAudit(w.tx, {
    actorId,
    action: 'member.timeout',
    targetType: 'user',
    targetId: body.userId,
    reason: body.reason,
    data: { minutes: body.minutes, until: until?.toISOString() ?? null },
  });
  return { timedOutUntil: until?.toISOString() ?? null };
}
