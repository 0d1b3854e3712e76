import type { TokenDelivery } from '@echora/shared/protocol/rest/auth';
import { apiFetch } from './http.ts';

/** The signed-in user as the auth API returns it. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  isOwner: boolean;
}

/**
 * What login, register and refresh return; kept in the replica's kv. A
 * browser never sees its refresh token (an httpOnly cookie holds it); only a
 * native client, which asks for `tokenDelivery: 'body'`, gets `refreshToken`.
 */
export interface AuthSession {
  user: SessionUser;
  accessToken: string;
  refreshToken?: string;
}

interface Credentials {
  username: string;
  password: string;
  /** An invite code: joins the community through it (refused when expired or used up). */
  invite?: string;
}

/** Creates an account and signs in. */
export function register(credentials: Credentials, delivery: TokenDelivery): Promise<AuthSession> {
  return apiFetch<AuthSession>('/auth/register', {
    method: 'POST',
    body: { ...credentials, tokenDelivery: delivery },
  });
}

/** Signs in with a username and password. */
export function login(credentials: Credentials, delivery: TokenDelivery): Promise<AuthSession> {
  return apiFetch<AuthSession>('/auth/login', {
    method: 'POST',
    body: { ...credentials, tokenDelivery: delivery },
  });
}

/**
 * Trades the refresh token for a new session: `refreshToken` when this
 * client holds one (native, or a browser session stored before the cookie
 * became the only copy), else the httpOnly cookie.
 */
export function refresh(
  refreshToken: string | undefined,
  delivery: TokenDelivery,
): Promise<AuthSession> {
  return apiFetch<AuthSession>('/auth/refresh', {
    method: 'POST',
    body: refreshToken ? { refreshToken, tokenDelivery: delivery } : { tokenDelivery: delivery },
  });
}

/**
 * Revokes the session on the server and clears its cookies; `base`: another
 * community's API than the open one (a phone forgetting it).
 */
export async function logout(refreshToken: string | undefined, base?: string): Promise<void> {
  await apiFetch<unknown>('/auth/logout', {
    method: 'POST',
    body: refreshToken ? { refreshToken } : {},
    ...(base ? { base } : {}),
  });
}
