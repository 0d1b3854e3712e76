import { apiFetch } from './http.ts';

/** The signed-in user as the auth API returns it. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  isOwner: boolean;
}

/** What login, register and refresh return; kept in the replica's kv. */
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
export function register(credentials: Credentials): Promise<AuthSession> {
  return apiFetch<AuthSession>('/auth/register', { method: 'POST', body: credentials });
}

/** Signs in with a username and password. */
export function login(credentials: Credentials): Promise<AuthSession> {
  return apiFetch<AuthSession>('/auth/login', { method: 'POST', body: credentials });
}

/** Trades the refresh token (body, or the httpOnly cookie) for a new session. */
export function refresh(refreshToken: string | undefined): Promise<AuthSession> {
  return apiFetch<AuthSession>('/auth/refresh', {
    method: 'POST',
    body: refreshToken ? { refreshToken } : {},
  });
}

/** Revokes the refresh token on the server. */
export async function logout(refreshToken: string | undefined): Promise<void> {
  await apiFetch<unknown>('/auth/logout', {
    method: 'POST',
    body: refreshToken ? { refreshToken } : {},
  });
}
