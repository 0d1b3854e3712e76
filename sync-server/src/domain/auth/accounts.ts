import { AppError, newId } from '@echora/shared';
import {
  AuthRules,
  passwordProblem,
  usernameProblem,
  type AuthUser,
} from '@echora/shared/protocol/rest/auth';
import { one } from '../../db/rows.ts';
import type { Db, Queryable } from '../../db/types.ts';
import { hashPassword, verifyDummyPassword, verifyPassword } from './passwords.ts';
import { startSession, type IssuedRefresh } from './sessions.ts';
import { findUserById, findUserByName, toAuthUser } from './users.ts';
import { useInvite } from '../invites/invites.ts';

const BANNED = 'You are banned from this community.';
const NOT_MEMBER = 'You are not a member of this community; you need an invite to join.';

/** A user just created, as `afterUserCreated` hooks see it. */
export interface CreatedUser {
  id: string;
  username: string;
  isOwner: boolean;
}

/** Work a hook leaves for after its transaction commits. */
export type AfterCommit = () => Promise<void>;

/** Extension points other domains plug into the auth flows. */
export interface AuthHooks {
  /**
   * Runs inside the registration transaction, after the user row exists:
   * whatever it writes commits or rolls back with the new account. It may
   * return a function to run once that transaction has committed (the sync
   * engine publishes the new member then, never before).
   */
  afterUserCreated?: (tx: Queryable, user: CreatedUser) => Promise<AfterCommit | undefined | void>;
  /**
   * Makes an existing user (kicked, or unbanned) a member again, inside the
   * login transaction; the returned function runs after it commits.
   */
  memberJoined?: (tx: Queryable, userId: string) => Promise<AfterCommit | undefined | void>;
}

/** The user and their new session. */
export interface SignedIn {
  user: AuthUser;
  refresh: IssuedRefresh;
}

function checkCredentials(username: string, password: string): void {
  const problem = usernameProblem(username) ?? passwordProblem(password);
  if (problem) throw new AppError('invalid', problem);
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === '23505';

/**
 * Creates an account and its first session. The first account becomes the
 * community's owner: the community row is locked first, so two first
 * registrations at once cannot both see no owner.
 */
export async function register(
  db: Db,
  input: { username: string; password: string; invite?: string | undefined },
  hooks: AuthHooks = {},
): Promise<SignedIn> {
  checkCredentials(input.username, input.password);
  // Hashing is slow; it happens before the transaction so no lock waits on it.
  const passwordHash = await hashPassword(input.password);
  let afterCommit: AfterCommit | undefined;
  try {
    const signedIn = await db.transaction(async (tx) => {
      const community = await one<{ owner_id: string | null; registration: string }>(
        tx,
        'SELECT owner_id, registration FROM community WHERE id = 1 FOR UPDATE',
      );
      const isOwner = community.owner_id === null;
      // The owner can always register: an invite-only install still needs one.
      // A given invite must be good, open registration or not; it counts one use.
      if (!isOwner && input.invite !== undefined) await useInvite(tx, input.invite);
      else if (!isOwner && community.registration !== 'open') {
        throw new AppError('forbidden', 'Registration on this server needs an invite');
      }
      if (await findUserByName(tx, input.username)) {
        throw new AppError('conflict', 'That username is taken');
      }
      const id = newId();
      await tx.query(
        'INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, $3, $2)',
        [id, input.username, passwordHash],
      );
      if (isOwner) await tx.query('UPDATE community SET owner_id = $1 WHERE id = 1', [id]);
      const after = await hooks.afterUserCreated?.(tx, { id, username: input.username, isOwner });
      if (typeof after === 'function') afterCommit = after;
      const row = await findUserById(tx, id);
      if (!row) throw new Error('registered user vanished');
      return { user: toAuthUser(row), refresh: await startSession(tx, id) };
    });
    if (afterCommit) await afterCommit();
    return signedIn;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'That username is taken');
    throw error;
  }
}

/**
 * Checks a username and password and starts a session. An unknown user and
 * a wrong password fail alike, in about the same time.
 */
export async function login(
  db: Db,
  input: { username: string; password: string; invite?: string | undefined },
  hooks: AuthHooks = {},
): Promise<SignedIn> {
  const failed = () => new AppError('unauthorized', 'Wrong username or password');
  // Oversized input is a client mistake; other out-of-rule input just cannot match.
  if (
    input.username.length > AuthRules.usernameMax ||
    input.password.length > AuthRules.passwordMax
  ) {
    throw new AppError('invalid', 'username or password is too long');
  }
  if (usernameProblem(input.username) || passwordProblem(input.password)) {
    await verifyDummyPassword(input.password);
    throw failed();
  }
  const row = await findUserByName(db, input.username);
  if (!row) {
    await verifyDummyPassword(input.password);
    throw failed();
  }
  if (!(await verifyPassword(row.password_hash, input.password))) throw failed();
  await ensureMember(db, row.id, input.invite, hooks);
  return { user: toAuthUser(row), refresh: await startSession(db, row.id) };
}

/**
 * A banned user may not log in. A former member (kicked, unbanned) rejoins
 * with a good invite, or when registration is open; else they are refused.
 */
async function ensureMember(
  db: Db,
  userId: string,
  invite: string | undefined,
  hooks: AuthHooks,
): Promise<void> {
  const { rows } = await db.query<{ banned: boolean }>(
    'SELECT banned_at IS NOT NULL AS banned FROM members WHERE user_id = $1',
    [userId],
  );
  if (rows[0]?.banned) throw new AppError('forbidden', BANNED);
  if (rows[0]) return;
  let afterCommit: AfterCommit | undefined;
  await db.transaction(async (tx) => {
    const community = await one<{ owner_id: string | null; registration: string }>(
      tx,
      'SELECT owner_id, registration FROM community WHERE id = 1 FOR UPDATE',
    );
    const again = await tx.query<{ banned: boolean }>(
      'SELECT banned_at IS NOT NULL AS banned FROM members WHERE user_id = $1',
      [userId],
    );
    if (again.rows[0]?.banned) throw new AppError('forbidden', BANNED);
    if (again.rows[0]) return;
    if (invite !== undefined) await useInvite(tx, invite);
    else if (community.registration !== 'open' && community.owner_id !== userId) {
      throw new AppError('forbidden', NOT_MEMBER);
    }
    const after = await hooks.memberJoined?.(tx, userId);
    if (typeof after === 'function') afterCommit = after;
  });
  if (afterCommit) await afterCommit();
}
