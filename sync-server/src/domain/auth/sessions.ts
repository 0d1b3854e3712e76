import { AppError, newId } from '@echora/shared';
import { maybeOne } from '../../db/rows.ts';
import type { Db, Queryable } from '../../db/types.ts';
import { hashRefreshToken, newRefreshToken } from './tokens.ts';

/** Refresh tokens (and so sessions without activity) last 30 days. */
export const REFRESH_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A session's refresh token as handed to the client, and the family it belongs to. */
export interface IssuedRefresh {
  token: string;
  familyId: string;
  userId: string;
}

async function insertToken(
  tx: Queryable,
  familyId: string,
  userId: string,
  ttlSeconds: number,
): Promise<string> {
  const token = newRefreshToken();
  await tx.query(
    `INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
    [hashRefreshToken(token), familyId, userId, ttlSeconds],
  );
  return token;
}

/** Starts a new session (refresh family) for `userId`. */
export async function startSession(
  tx: Queryable,
  userId: string,
  ttlSeconds = REFRESH_TTL_SECONDS,
): Promise<IssuedRefresh> {
  const familyId = newId();
  return { token: await insertToken(tx, familyId, userId, ttlSeconds), familyId, userId };
}

interface TokenRow {
  [column: string]: unknown;
  family_id: string;
  user_id: string;
  expired: boolean;
  revoked_at: Date | null;
  replaced_by: string | null;
}

const invalid = () => new AppError('unauthorized', 'Refresh token is invalid or expired');

/** Whose session a reused refresh token revoked (ids only, for the log). */
export interface ReusedToken {
  userId: string;
  sessionId: string;
}

/**
 * Swaps a refresh token for a new one in the same family. A token already
 * swapped is a sign of theft (someone else holds a copy), so presenting it
 * revokes the whole family, calls `onReuse` once that is committed, and the
 * caller gets 401.
 */
export async function rotateSession(
  db: Db,
  token: string,
  ttlSeconds = REFRESH_TTL_SECONDS,
  onReuse?: (reused: ReusedToken) => void,
): Promise<IssuedRefresh> {
  let reused: ReusedToken | undefined;
  const outcome = await db.transaction(async (tx) => {
    const row = await maybeOne<TokenRow>(
      tx,
      `SELECT family_id, user_id, revoked_at, replaced_by, expires_at <= now() AS expired
       FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
      [hashRefreshToken(token)],
    );
    if (!row || row.expired) return undefined;
    if (row.revoked_at) {
      if (row.replaced_by) {
        await revokeFamily(tx, row.family_id);
        reused = { userId: row.user_id, sessionId: row.family_id };
      }
      return undefined;
    }
    const next = await insertToken(tx, row.family_id, row.user_id, ttlSeconds);
    await tx.query(
      'UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE token_hash = $1',
      [hashRefreshToken(token), hashRefreshToken(next)],
    );
    return { token: next, familyId: row.family_id, userId: row.user_id };
  });
  // Thrown after the transaction so a reuse's revocation is committed.
  if (reused) onReuse?.(reused);
  if (!outcome) throw invalid();
  return outcome;
}

/** The user `token` was issued to, while it has not expired (revoked or not). */
export async function refreshTokenOwner(db: Queryable, token: string): Promise<string | undefined> {
  const row = await maybeOne<{ user_id: string }>(
    db,
    'SELECT user_id FROM refresh_tokens WHERE token_hash = $1 AND expires_at > now()',
    [hashRefreshToken(token)],
  );
  return row?.user_id;
}

/** Revokes every token of a family: the session can no longer refresh. */
export async function revokeFamily(tx: Queryable, familyId: string): Promise<void> {
  await tx.query(
    'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
    [familyId],
  );
}

/** Ends the session `token` belongs to; unknown tokens are ignored (logout is idempotent). */
export async function endSession(db: Db, token: string): Promise<void> {
  const row = await maybeOne<{ family_id: string }>(
    db,
    'SELECT family_id FROM refresh_tokens WHERE token_hash = $1',
    [hashRefreshToken(token)],
  );
  if (row) await revokeFamily(db, row.family_id);
}

/** One session (refresh family) of a user, as an operator lists it. */
export interface SessionSummary {
  id: string;
  startedAt: Date;
  lastRefreshAt: Date;
  expiresAt: Date;
  active: boolean;
}

/** Every session `userId` has had whose tokens are still on file, newest first. */
export async function listSessions(db: Queryable, userId: string): Promise<SessionSummary[]> {
  const { rows } = await db.query<{
    family_id: string;
    started_at: Date;
    last_refresh_at: Date;
    expires_at: Date;
    active: boolean;
  }>(
    `SELECT family_id, min(created_at) AS started_at, max(created_at) AS last_refresh_at,
            max(expires_at) AS expires_at,
            bool_or(revoked_at IS NULL AND expires_at > now()) AS active
     FROM refresh_tokens WHERE user_id = $1
     GROUP BY family_id ORDER BY max(created_at) DESC`,
    [userId],
  );
  return rows.map((row) => ({
    id: row.family_id,
    startedAt: row.started_at,
    lastRefreshAt: row.last_refresh_at,
    expiresAt: row.expires_at,
    active: row.active,
  }));
}

/** Revokes every session of `userId`; answers how many were still active. */
export async function revokeUserSessions(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ family_id: string }>(
    `UPDATE refresh_tokens SET revoked_at = now()
     WHERE user_id = $1 AND revoked_at IS NULL RETURNING family_id`,
    [userId],
  );
  return new Set(rows.map((row) => row.family_id)).size;
}
