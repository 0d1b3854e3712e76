import { defaultUserSettings, type Mentions } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import type { Access } from '../permissions/access.ts';

/** The members a message's mentions call on (by name, by role, or everyone), author excluded. */
export function mentionedUsers(access: Access, mentions: Mentions, authorId: string): string[] {
  const members = [...access.data.members.keys()].filter((id) => access.member(id));
  const called = mentions.everyone
    ? members
    : members.filter(
        (id) =>
          mentions.users.includes(id) ||
          (access.member(id)?.roleIds ?? []).some((role) => mentions.roles.includes(role)),
      );
  return called.filter((id) => id !== authorId);
}

/** A user a push may go to, and whether they asked for message text in it. */
export interface PushRecipient {
  userId: string;
  preview: boolean;
}

/**
 * Of `userIds`, those who want a push about a message in `channelId`: the
 * same rules as desktop notifications (`client/src/state/notifications.svelte.ts`):
 * the `notify` setting is not `none`, and neither the channel nor, for a
 * thread, its parent is muted.
 */
export async function willingRecipients(
  db: Queryable,
  userIds: readonly string[],
  channelIds: readonly string[],
): Promise<PushRecipient[]> {
  if (userIds.length === 0) return [];
  const { rows } = await db.query<{ user_id: string; preview: boolean | null }>(
    `SELECT u.id AS user_id, (s.settings->>'pushPreview')::boolean AS preview
     FROM users u LEFT JOIN user_settings s ON s.user_id = u.id
     WHERE u.id = ANY($1::uuid[])
       AND COALESCE(s.settings->>'notify', $3) <> 'none'
       AND NOT EXISTS (
         SELECT 1 FROM read_states r
         WHERE r.user_id = u.id AND r.channel_id = ANY($2::uuid[]) AND r.muted)
     ORDER BY u.id`,
    [userIds, channelIds, defaultUserSettings.notify],
  );
  return rows.map((row) => ({
    userId: row.user_id,
    preview: row.preview ?? defaultUserSettings.pushPreview,
  }));
}

/** Of `userIds`, those who have not blocked `authorId` (a group's blocker hears nothing of them). */
export async function notBlocking(
  db: Queryable,
  userIds: readonly string[],
  authorId: string,
): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM user_blocks WHERE blocked_id = $1 AND user_id = ANY($2::uuid[])',
    [authorId, userIds],
  );
  const blocking = new Set(rows.map((r) => r.user_id));
  return userIds.filter((id) => !blocking.has(id));
}
