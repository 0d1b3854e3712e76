import { AppError } from '@echora/shared';
import { passwordProblem } from '@echora/shared/protocol/rest/auth';
import type { Db } from '../../db/types.ts';
import { hashPassword } from './passwords.ts';
import { revokeUserSessions } from './sessions.ts';
import { findUserByName } from './users.ts';

// What an operator does from the command line (`npm run admin`), never over
// HTTP: there is no caller to check, whoever can reach the database is in charge.

/** The user called `username` (any letter case), or a `notFound` naming it. */
export async function requireUser(
  db: Db,
  username: string,
): Promise<{ id: string; username: string; isOwner: boolean }> {
  const row = await findUserByName(db, username);
  if (!row) throw new AppError('not_found', `No user called "${username}"`);
  return { id: row.id, username: row.username, isOwner: row.is_owner };
}

/**
 * Sets a new password and ends every session of the user (someone else may
 * have the old one); answers how many sessions were ended.
 */
export async function resetPassword(db: Db, userId: string, password: string): Promise<number> {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('invalid', problem);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
    return revokeUserSessions(tx, userId);
  });
}

/**
 * Makes the user the community's owner (there is one; the previous owner
 * becomes an ordinary member), lifting a ban on them, since an owner cannot
 * be banned.
 */
export async function promoteOwner(db: Db, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM community WHERE id = 1 FOR UPDATE');
    await tx.query('UPDATE community SET owner_id = $1 WHERE id = 1', [userId]);
    await tx.query('UPDATE members SET banned_at = NULL WHERE user_id = $1', [userId]);
  });
}
