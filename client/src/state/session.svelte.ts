import * as auth from '../api/auth.ts';
import type { AuthSession, SessionUser } from '../api/auth.ts';
import { ApiError } from '../api/http.ts';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { tokenExpiresAt } from '../lib/jwt.ts';
import { kvGet, kvSet } from '../lib/kv.ts';

const SESSION_KEY = 'session';
/** Refresh this long before the access token expires. */
const REFRESH_EARLY_MS = 60_000;

/**
 * Who is signed in. The session lives in the replica's kv, so a cold start
 * with no network opens the app as the last user.
 */
export class Session {
  status: 'loading' | 'signed-out' | 'signed-in' = $state('loading');
  user: SessionUser | null = $state(null);
  #auth: AuthSession | undefined;
  #refreshing: Promise<string | null> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly replica: ReplicaPort) {}

  /** Loads the stored session, if any; never needs the network. */
  async restore(): Promise<void> {
    const stored = await kvGet<AuthSession>(this.replica, SESSION_KEY);
    if (stored?.user && stored.accessToken) this.#apply(stored);
    else this.status = 'signed-out';
  }

  /**
   * Signs in; throws `ApiError` with the server's message on refusal. With
   * `invite`, a signed-out former member joins through it.
   */
  async login(username: string, password: string, invite?: string): Promise<void> {
    await this.#start(
      await auth.login(invite ? { username, password, invite } : { username, password }),
    );
  }

  /** Creates an account and signs in (through `invite` when given). */
  async register(username: string, password: string, invite?: string): Promise<void> {
    await this.#start(
      await auth.register(invite ? { username, password, invite } : { username, password }),
    );
  }

  /** Signs out here and on the server, and wipes this device's replica. */
  async logout(): Promise<void> {
    const refreshToken = this.#auth?.refreshToken;
    this.#clear();
    try {
      await auth.logout(refreshToken);
    } catch {
      // Offline or already expired: the local sign-out is what matters.
    }
    await Promise.all(this.replica.tables.map((t) => t.clear()));
  }

  /**
   * A fresh access token (refreshed when close to expiry), or null when
   * signed out. Offline it returns the stored one: the socket fails anyway and
   * the engine asks again on its next attempt.
   */
  getToken = async (): Promise<string | null> => {
    const current = this.#auth;
    if (!current) return null;
    const expiresAt = tokenExpiresAt(current.accessToken);
    if (expiresAt === undefined || expiresAt - Date.now() > REFRESH_EARLY_MS) {
      return current.accessToken;
    }
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  };

  async #refresh(): Promise<string | null> {
    const current = this.#auth;
    if (!current) return null;
    try {
      const next = await auth.refresh(current.refreshToken);
      await this.#store(next);
      return next.accessToken;
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'unauthorized') {
        // The refresh token was revoked or expired: the session is over.
        this.#clear();
        await kvSet(this.replica, SESSION_KEY, undefined);
        return null;
      }
      return current.accessToken;
    }
  }

  async #start(next: AuthSession): Promise<void> {
    const previous = await kvGet<AuthSession>(this.replica, SESSION_KEY);
    if (previous?.user.id !== next.user.id) {
      // Another user's replica must never show through.
      await Promise.all(this.replica.tables.map((t) => t.clear()));
    }
    await this.#store(next);
  }

  async #store(next: AuthSession): Promise<void> {
    // Keep the refresh token when the server sends it only as a cookie.
    const refreshToken = next.refreshToken ?? this.#auth?.refreshToken;
    const merged: AuthSession = refreshToken
      ? { user: next.user, accessToken: next.accessToken, refreshToken }
      : { user: next.user, accessToken: next.accessToken };
    await kvSet(this.replica, SESSION_KEY, merged);
    this.#apply(merged);
  }

  #apply(next: AuthSession): void {
    this.#auth = next;
    this.user = next.user;
    this.status = 'signed-in';
    this.#schedule(next.accessToken);
  }

  #schedule(token: string): void {
    clearTimeout(this.#timer);
    const expiresAt = tokenExpiresAt(token);
    if (expiresAt === undefined) return;
    const delay = Math.max(5_000, expiresAt - Date.now() - REFRESH_EARLY_MS);
    this.#timer = setTimeout(() => void this.getToken(), delay);
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#auth = undefined;
    this.user = null;
    this.status = 'signed-out';
  }
}
