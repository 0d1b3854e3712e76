import type { FormerMember, Member } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso, isoOrNull } from '../../db/timestamps.ts';

interface MemberRow extends Record<string, unknown> {
  id: string;
  username: string;
  display_name: string;
  is_owner: boolean;
  joined_at: Date | string;
  role_ids: string[] | null;
  timed_out_until: Date | string | null;
  avatar_file_id: string | null;
  bio: string;
  pronouns: string;
  status_text: string;
  bot: 'bot' | 'webhook' | null;
}

const MEMBER_SELECT = `
  SELECT u.id, u.username, u.display_name, m.joined_at, m.timed_out_until,
         u.avatar_file_id, u.bio, u.pronouns, u.status_text, u.bot,
         coalesce(u.id = (SELECT owner_id FROM community WHERE id = 1), false) AS is_owner,
         ARRAY(SELECT r.role_id::text FROM member_roles r WHERE r.user_id = u.id
               ORDER BY r.role_id) AS role_ids
  FROM members m JOIN users u ON u.id = m.user_id`;

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    isOwner: row.is_owner,
    joinedAt: iso(row.joined_at),
    roleIds: row.role_ids ?? [],
    timedOutUntil: isoOrNull(row.timed_out_until),
    avatarUrl: row.avatar_file_id ? `/api/files/${row.avatar_file_id}` : null,
    bio: row.bio,
    pronouns: row.pronouns,
    statusText: row.status_text,
    ...(row.bot ? { bot: row.bot } : {}),
  };
}

/** Every member who is not banned. */
export async function listMembers(db: Queryable): Promise<Member[]> {
  const { rows } = await db.query<MemberRow>(
    `${MEMBER_SELECT} WHERE m.banned_at IS NULL ORDER BY m.joined_at, u.id`,
  );
  return rows.map(toMember);
}

/** One member, or undefined. */
export async function findMember(db: Queryable, userId: string): Promise<Member | undefined> {
  const { rows } = await db.query<MemberRow>(`${MEMBER_SELECT} WHERE m.user_id = $1`, [userId]);
  return rows[0] ? toMember(rows[0]) : undefined;
}

interface FormerRow extends Record<string, unknown> {
  id: string;
  username: string;
  display_name: string;
  avatar_file_id: string | null;
  bot: 'bot' | 'webhook' | null;
}

const toFormer = (row: FormerRow): FormerMember => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  avatarUrl: row.avatar_file_id ? `/api/files/${row.avatar_file_id}` : null,
  ...(row.bot ? { bot: row.bot } : {}),
});

/**
 * Everyone who wrote a message and is no longer a member (kicked, banned),
 * so members still see who wrote what.
 */
export async function listFormerMembers(db: Queryable): Promise<FormerMember[]> {
  const { rows } = await db.query<FormerRow>(
    `SELECT u.id, u.username, u.display_name, u.avatar_file_id, u.bot FROM users u
     WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.user_id = u.id AND m.banned_at IS NULL)
       AND EXISTS (SELECT 1 FROM messages msg WHERE msg.author_id = u.id)
     ORDER BY u.id`,
  );
  return rows.map(toFormer);
}

/** One user's public name, as a former member's row. */
export async function findFormerMember(
  db: Queryable,
  userId: string,
): Promise<FormerMember | undefined> {
  const { rows } = await db.query<FormerRow>(
    'SELECT id, username, display_name, avatar_file_id, bot FROM users WHERE id = $1',
    [userId],
  );
  return rows[0] ? toFormer(rows[0]) : undefined;
}
