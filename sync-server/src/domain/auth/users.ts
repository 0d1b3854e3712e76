import type { AuthUser } from '@echora/shared/protocol/rest/auth';
import { maybeOne } from '../../db/rows.ts';
import type { Queryable } from '../../db/types.ts';

interface UserRow {
  [column: string]: unknown;
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  created_at: Date;
  is_owner: boolean;
}

const SELECT_USER = `
  SELECT u.id, u.username, u.display_name, u.password_hash, u.created_at,
         (c.owner_id IS NOT DISTINCT FROM u.id) AS is_owner
  FROM users u CROSS JOIN community c`;

/** A user row as the API shows it (never the password hash). */
export function toAuthUser(row: UserRow): AuthUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    isOwner: row.is_owner,
    createdAt: row.created_at.toISOString(),
  };
}

/** The user whose name is `username` in any letter case. */
export function findUserByName(db: Queryable, username: string): Promise<UserRow | undefined> {
  return maybeOne<UserRow>(db, `${SELECT_USER} WHERE lower(u.username) = lower($1)`, [username]);
}

/** The user with id `id`. */
export function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  return maybeOne<UserRow>(db, `${SELECT_USER} WHERE u.id = $1`, [id]);
}
