import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** Access tokens live 15 minutes; refresh keeps sessions going. */
export const ACCESS_TTL_SECONDS = 15 * 60;

const encoder = new TextEncoder();

/** Signs an HS256 access token for `userId` in session (refresh family) `sessionId`. */
export function signAccessToken(
  secret: string,
  claims: { userId: string; sessionId: string },
  ttlSeconds = ACCESS_TTL_SECONDS,
): Promise<string> {
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(encoder.encode(secret));
}

/**
 * Checks an access token's signature and expiry. Returns who it names, or
 * null for any token that is malformed, forged or expired.
 */
export async function verifyAccessToken(
  secret: string,
  token: string,
): Promise<{ userId: string; sessionId: string } | null> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
    return { userId: payload.sub, sessionId: payload.sid };
  } catch {
    return null;
  }
}

/** A new random refresh token (what the client keeps). */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps instead of the token itself. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
