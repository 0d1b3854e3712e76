import type { Member } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../sync/values.ts';

interface MemberRow extends Record<string, unknown> {
  id: string;
  username: string;
  display_name: string;
  is_owner: boolean;
  joined_at: Date | string;
}

const MEMBER_SELECT = `
  SELECT u.id, u.username, u.display_name, m.joined_at,
         coalesce(u.id = (SELECT owner_id FROM community WHERE id = 1), false) AS is_owner
  FROM members m JOIN users u ON u.id = m.user_id`;

function toMember(row: MemberRow): Member {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    isOwner: row.is_owner,
    joinedAt: iso(row.joined_at),
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
