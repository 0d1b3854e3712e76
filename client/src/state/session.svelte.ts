import type { Removal } from '@echora/shared';
import type { TokenDelivery } from '@echora/shared/protocol/rest/auth';
import * as auth from '../api/auth.ts';
import type { AuthSession, SessionUser } from '../api/auth.ts';
import { ApiError } from '../api/http.ts';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { tokenExpiresAt, tokenRefreshAt } from '../lib/jwt.ts';
import { apiBase, apiBaseFor } from '../lib/config.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { platform, type Platform } from '../platform/index.ts';
import { forgetCommunityData, type RemovalNotice } from './removal.ts';
import { forgetNotes } from '../sync/notes-storage.ts';

const SESSION_KEY = 'session';
/** Kept after a kick or ban (the replica is otherwise empty), so a reload still says why. */
const REMOVAL_KEY = 'removal';
/** The Web Lock every tab of this origin takes to refresh: one refresh at a time. */
const REFRESH_LOCK = 'echora-refresh';
/** Tabs tell each other here that the stored session changed. */
const SESSION_CHANNEL = 'echora-session';
/** The soonest a scheduled refresh runs, so a skewed clock cannot make it spin. */
const MIN_DELAY_MS = 5_000;

/**
 * Who is signed in. The session lives in the replica's kv, so a cold start
 * with no network opens the app as the last user.
 *
 * Every tab of a browser shares one refresh token (the cookie) and one
 * stored session, so tabs must not rotate the token against each other: a
 * token presented after another tab rotated it looks stolen and ends the
 * session. A refresh therefore runs under a Web Lock across tabs, and first
 * reads the stored session: when another tab already refreshed, it takes
 * that access token instead of presenting a cookie that tab replaced. Tabs
 * also tell each other (BroadcastChannel) when the session changes.
 */
export class Session {
  status: 'loading' | 'signed-out' | 'signed-in' = $state('loading');
  user: SessionUser | null = $state(null);
  /** Set when the user was kicked or banned: the app shows why instead of signing in. */
  removal: RemovalNotice | null = $state(null);
  /**
   * Set by the signed-in view: stops its work (sync, uploads) and forgets the
   * replica; answers how many unsent messages it discarded.
   */
  forgetDevice: (() => Promise<number>) | undefined;
  /** Set by the signed-in view: what must reach the server while the session still works (push). */
  beforeSignOut: (() => Promise<void>) | undefined;
  #removing: Promise<void> | undefined;
  #auth: AuthSession | undefined;
  #refreshing: Promise<string | null> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #channel: BroadcastChannel | undefined;
  #closed = false;
  /**
   * Browsers keep the refresh token in the httpOnly cookie, which all tabs
   * share and no script reads; the phone apps have no such cookie jar and
   * keep it in the platform's secure storage (Keychain, Keystore), never in
   * the replica.
   */
  readonly #delivery: TokenDelivery;

  constructor(
    private readonly replica: ReplicaPort,
    private readonly device: Platform = platform,
  ) {
    this.#delivery = device.secrets ? 'body' : 'cookie';
    if (typeof BroadcastChannel !== 'undefined') {
      this.#channel = new BroadcastChannel(SESSION_CHANNEL);
      this.#channel.onmessage = (event: MessageEvent<unknown>) => {
        const notice = (event.data as { removal?: RemovalNotice } | null)?.removal;
        if (notice) this.removal = notice;
        // A community a phone forgot has no replica left to read: nothing to adopt.
        this.#adoptStored().catch(() => undefined);
      };
    }
  }

  /**
   * The community's screens are gone (a phone switched or forgot it): no
   * more token refreshes, and other tabs' notices no longer reach it.
   */
  close(): void {
    clearTimeout(this.#timer);
    this.#closed = true;
    this.#channel?.close();
  }

  /** Loads the stored session, if any; never needs the network. */
  async restore(): Promise<void> {
    const stored = await kvGet<AuthSession>(this.replica, SESSION_KEY);
    if (!stored?.user || !stored.accessToken) {
      this.removal = (await kvGet<RemovalNotice>(this.replica, REMOVAL_KEY)) ?? null;
      this.status = 'signed-out';
      return;
    }
    if (this.device.secrets && stored.refreshToken) {
      // Stored by a version that kept it in the replica: move it to secure storage.
      await this.#store(stored);
      return;
    }
    this.#apply(stored);
    // A browser session stored before the cookie became the only copy holds
    // the newest refresh token: trade it once for the cookie, then forget it.
    if (this.#delivery === 'cookie' && stored.refreshToken) void this.#refreshShared(true);
  }

  /**
   * Signs in; throws `ApiError` with the server's message on refusal. With
   * `invite`, a signed-out former member joins through it.
   */
  async login(username: string, password: string, invite?: string): Promise<void> {
    const credentials = invite ? { username, password, invite } : { username, password };
    await this.#start(await auth.login(credentials, this.#delivery));
  }

  /** Creates an account and signs in (through `invite` when given). */
  async register(username: string, password: string, invite?: string): Promise<void> {
    const credentials = invite ? { username, password, invite } : { username, password };
    await this.#start(await auth.register(credentials, this.#delivery));
  }

  /**
   * The user was kicked or banned (the socket said so, or a refresh did):
   * stops what runs, forgets the replica, the outbox, queued uploads and
   * cached media, and keeps only the notice of why. Once, however often called.
   */
  removedFrom(removal: Removal): Promise<void> {
    this.#removing ??= (async () => {
      // Calling forgetDevice first stops the engine and the upload queue before their rows go.
      const forgetting = forgetCommunityData(this.replica, this.user?.id, this.forgetDevice);
      // Told at once: the app gives way to the notice while the device forgets.
      this.#clear();
      this.removal = { ...removal, discarded: null };
      const { discarded, failures } = await forgetting;
      for (const failure of failures) console.warn('session: could not forget everything', failure);
      const notice: RemovalNotice = { ...removal, discarded };
      await kvSet(this.replica, REMOVAL_KEY, notice).catch(() => undefined);
      await this.#forgetSecret();
      this.removal = notice;
      this.#channel?.postMessage({ removal: notice });
      // The refresh and media cookies go too (the server already ended the session).
      await auth.logout(undefined).catch(() => undefined);
    })();
    return this.#removing;
  }

  /** The user read why they were removed: back to the sign-in screen. */
  async dismissRemoval(): Promise<void> {
    this.removal = null;
    this.#removing = undefined;
    await kvSet(this.replica, REMOVAL_KEY, undefined);
  }

  /** Signs out here, in this browser's other tabs and on the server, and wipes the replica. */
  async logout(): Promise<void> {
    // While the token still works: the server forgets this device's push subscription.
    await this.beforeSignOut?.().catch((e: unknown) => console.warn('session: sign-out step', e));
    const refreshToken = await this.#refreshToken(this.#auth);
    const userId = this.user?.id;
    this.#clear();
    await this.#forgetSecret();
    try {
      await auth.logout(refreshToken);
    } catch {
      // Offline or already expired: the local sign-out is what matters.
    }
    await Promise.all(this.replica.tables.map((t) => t.clear()));
    // The channel notes kept for offline use must not stay readable on a shared device.
    if (userId) {
      await forgetNotes(userId).catch((error: unknown) =>
        console.warn('session: could not forget the notes', error),
      );
    }
    this.#channel?.postMessage('changed');
  }

  /**
   * A fresh access token (refreshed when close to expiry), or null when
   * signed out. Offline it returns the stored one: the socket fails anyway and
   * the engine asks again on its next attempt.
   */
  getToken = async (): Promise<string | null> => {
    const current = this.#auth;
    if (!current) return null;
    if (!isDue(current.accessToken)) return current.accessToken;
    return this.#refreshShared(false);
  };

  /**
   * A new access token now, whatever the clock says: the server refused the
   * one held (a 401 on media in the phone apps). Null when signed out.
   */
  refreshToken = (): Promise<string | null> =>
    this.#auth ? this.#refreshShared(true) : Promise.resolve(null);

  /** One refresh at a time in this tab, and (with Web Locks) across tabs. */
  #refreshShared(force: boolean): Promise<string | null> {
    this.#refreshing ??= (async () => {
      const seen = this.#auth?.accessToken;
      // Web Locks exist in secure contexts only (https, localhost); elsewhere tabs
      // still check the stored session first, which narrows the race.
      if (typeof navigator === 'undefined' || !('locks' in navigator)) {
        return this.#refreshLocked(seen, force);
      }
      return navigator.locks.request(REFRESH_LOCK, () => this.#refreshLocked(seen, force));
    })().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Runs holding the lock. `seen` is the access token this tab had when it asked. */
  async #refreshLocked(seen: string | undefined, force: boolean): Promise<string | null> {
    const stored = await kvGet<AuthSession>(this.replica, SESSION_KEY);
    if (!stored || !this.#auth || stored.user.id !== this.#auth.user.id) {
      // Signed out, or signed in as someone else, in another tab meanwhile.
      await this.#adoptStored();
      return this.#auth?.accessToken ?? null;
    }
    if (stored.accessToken !== seen && !isDue(stored.accessToken)) {
      // Another tab refreshed while this one waited: its token is ours too.
      this.#apply(stored);
      return stored.accessToken;
    }
    if (!force && !isDue(stored.accessToken)) return stored.accessToken;
    try {
      const next = await auth.refresh(await this.#refreshToken(stored), this.#delivery);
      await this.#store(next);
      this.#channel?.postMessage('changed');
      return next.accessToken;
    } catch (error) {
      if (error instanceof ApiError && error.removal) {
        // Kicked or banned while this app was away: say so, and forget it all.
        void this.removedFrom(error.removal);
        return null;
      }
      if (error instanceof ApiError && error.kind === 'unauthorized') {
        // The refresh token was revoked or expired: the session is over.
        this.#clear();
        await this.#forgetSecret();
        await kvSet(this.replica, SESSION_KEY, undefined);
        this.#channel?.postMessage('changed');
        return null;
      }
      return stored.accessToken;
    }
  }

  /** Makes this tab match the stored session another tab just changed. */
  async #adoptStored(): Promise<void> {
    const stored = await kvGet<AuthSession>(this.replica, SESSION_KEY);
    if (!stored?.user || !stored.accessToken) {
      if (this.status === 'signed-in') this.#clear();
      return;
    }
    if (stored.accessToken !== this.#auth?.accessToken) this.#apply(stored);
  }

  async #start(next: AuthSession): Promise<void> {
    if (this.removal) await this.dismissRemoval();
    const previous = await kvGet<AuthSession>(this.replica, SESSION_KEY);
    if (previous?.user.id !== next.user.id) {
      // Another user's replica must never show through.
      await Promise.all(this.replica.tables.map((t) => t.clear()));
    }
    await this.#store(next);
    this.#channel?.postMessage('changed');
  }

  async #store(next: AuthSession): Promise<void> {
    // The replica never holds a refresh token: a browser has none (this also
    // drops one stored by older versions), a phone keeps it in secure storage.
    if (this.device.secrets && next.refreshToken) {
      await this.device.secrets.set(this.#secretKey(), next.refreshToken);
    }
    const session: AuthSession = { user: next.user, accessToken: next.accessToken };
    await kvSet(this.replica, SESSION_KEY, session);
    this.#apply(session);
  }

  /** The refresh token to present: the phone's secret, or one an older browser version stored. */
  async #refreshToken(stored: AuthSession | undefined): Promise<string | undefined> {
    if (!this.device.secrets) return stored?.refreshToken;
    return (await this.device.secrets.get(this.#secretKey())) ?? undefined;
  }

  async #forgetSecret(): Promise<void> {
    await this.device.secrets?.remove(this.#secretKey()).catch(() => undefined);
  }

  #secretKey(): string {
    return refreshSecretKey(apiBase);
  }

  #apply(next: AuthSession): void {
    this.#auth = next;
    this.user = next.user;
    this.status = 'signed-in';
    this.#schedule(next.accessToken);
  }

  #schedule(token: string): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    const refreshAt = tokenRefreshAt(token);
    const expiresAt = tokenExpiresAt(token);
    if (refreshAt === undefined || expiresAt === undefined) return;
    // Never later than the token's own end, never sooner than the floor allows.
    const floor = Math.min(MIN_DELAY_MS, Math.max(0, expiresAt - refreshAt));
    const delay = Math.max(floor, refreshAt - Date.now());
    this.#timer = setTimeout(() => void this.getToken(), delay);
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#auth = undefined;
    this.user = null;
    this.status = 'signed-out';
  }
}

/** One secret per community (its API address): a phone may know several. */
function refreshSecretKey(base: string): string {
  return `echora.refresh ${base}`;
}

/**
 * A phone forgets a community it listed (the person removed it from the
 * switcher, none of its screens open): the server revokes the session when it
 * answers, then the refresh token leaves secure storage and the device
 * forgets the community's replica, outbox, notes, queued uploads and cached
 * media, as after a removal. `replica` is the community's, open here (it is
 * deleted).
 */
export async function forgetCommunity(
  origin: string,
  replica: ReplicaPort,
  device: Platform = platform,
): Promise<void> {
  const base = apiBaseFor(origin);
  const key = refreshSecretKey(base);
  const refreshToken = (await device.secrets?.get(key).catch(() => null)) ?? undefined;
  const userId = (await kvGet<AuthSession>(replica, SESSION_KEY))?.user.id;
  if (refreshToken) {
    // Offline or already ended: forgetting it here is what matters.
    await auth.logout(refreshToken, base).catch(() => undefined);
  }
  await device.secrets?.remove(key).catch(() => undefined);
  const { failures } = await forgetCommunityData(replica, userId);
  for (const failure of failures) console.warn('session: could not forget everything', failure);
  // Not even an empty database with the community's address in its name stays.
  await replica.delete().catch((error: unknown) => console.warn('session: replica', error));
}

/** True when `token` should be refreshed now (unreadable tokens never are: the server decides). */
function isDue(token: string): boolean {
  const refreshAt = tokenRefreshAt(token);
  return refreshAt !== undefined && Date.now() >= refreshAt;
}
