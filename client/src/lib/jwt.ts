/** Refresh at most this long before an access token expires. */
const REFRESH_EARLY_MS = 60_000;

function claims(token: string): { exp?: unknown; iat?: unknown } | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as { exp?: unknown; iat?: unknown };
  } catch {
    return undefined;
  }
}

/**
 * When a JWT expires, in ms since the epoch; undefined if it cannot be read.
 * Only used to refresh early — the server still checks every token.
 */
export function tokenExpiresAt(token: string): number | undefined {
  const exp = claims(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/**
 * When to refresh `token` (ms since the epoch): a minute before it expires,
 * or halfway through its life when that is shorter (servers may issue
 * tokens of seconds); undefined if it cannot be read.
 */
export function tokenRefreshAt(token: string): number | undefined {
  const read = claims(token);
  if (typeof read?.exp !== 'number') return undefined;
  const expiresAt = read.exp * 1000;
  const lifetime = typeof read.iat === 'number' ? expiresAt - read.iat * 1000 : Infinity;
  return expiresAt - Math.min(REFRESH_EARLY_MS, lifetime / 2);
}
