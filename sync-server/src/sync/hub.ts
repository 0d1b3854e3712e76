import {
  COMMUNITY_SCOPE,
  channelScope,
  type PresenceDown,
  type PresenceStatus,
  type VoiceStateDown,
} from '@echora/shared';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import type { Bus, BusEvent, ChangesEvent } from '../bus/types.ts';
import type { AccessCache } from '../domain/permissions/access.ts';
import { fanoutDeliveries } from '../metrics/registry.ts';

/** What the hub needs from a socket session. */
export interface HubSession {
  readonly userId: string;
  /** Live changes of a scope the session watches; `frame` is `event.frame` as UTF-8, encoded once for all. */
  deliver(event: ChangesEvent, frame: Buffer): void;
  /** Which channels the user may see may have changed: bootstrap or revoke. */
  refreshAccess(): void;
  /**
   * A community change that left every channel's visibility as it was (a
   * role lost send, an override changed): re-check what depends on permissions.
   */
  refreshPermissions(): void;
  /** Sends an already-serialized frame (text, or its UTF-8 bytes). */
  sendRaw(frame: string | Buffer): void;
  /** Live changes may have been lost (the bus was down): catch up every watched scope. */
  resync(): void;
}

/** The sessions watching a scope, with the scope's one string that they all share. */
class Watchers extends Set<HubSession> {
  constructor(readonly scope: string) {
    super();
  }
}

/**
 * This node's index of sessions by scope. Bus events go only to sessions
 * watching their scope; each frame string is built once by the writer.
 */
export class Hub {
  private readonly sessions = new Set<HubSession>();
  private readonly byScope = new Map<string, Watchers>();
  /** Sockets per user on this node, with the user id's one string its sessions share. */
  private readonly byUser = new Map<string, { readonly userId: string; sockets: number }>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly access: AccessCache,
  ) {}

  start(): void {
    this.unsubscribe = this.bus.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Sessions of `userId` on this node. */
  socketsOf(userId: string): number {
    return this.byUser.get(userId)?.sockets ?? 0;
  }

  /**
   * The string of `userId` that this node's sessions of the user already
   * hold (a token's id is a fresh copy per socket), or `userId` itself.
   */
  userIdString(userId: string): string {
    return this.byUser.get(userId)?.userId ?? userId;
  }

  add(session: HubSession): void {
    if (this.sessions.has(session)) return;
    this.sessions.add(session);
    const user = this.byUser.get(session.userId);
    if (user) user.sockets += 1;
    else this.byUser.set(session.userId, { userId: session.userId, sockets: 1 });
  }

  remove(session: HubSession): void {
    const user = this.byUser.get(session.userId);
    if (this.sessions.delete(session) && user && --user.sockets === 0) {
      this.byUser.delete(session.userId);
    }
    for (const [scope, set] of this.byScope) {
      if (set.delete(session) && set.size === 0) this.byScope.delete(scope);
    }
  }

  /**
   * Returns the hub's string for `scope`: a session keeps that one, so ten
   * thousand sockets watching a channel hold one copy of its name.
   */
  watch(session: HubSession, scope: string): string {
    let set = this.byScope.get(scope);
    if (!set) {
      set = new Watchers(scope);
      this.byScope.set(scope, set);
    }
    set.add(session);
    return set.scope;
  }

  unwatch(session: HubSession, scope: string): void {
    const set = this.byScope.get(scope);
    if (set?.delete(session) && set.size === 0) this.byScope.delete(scope);
  }

  /** Tells every session on this node that a user's presence changed. */
  presenceChanged(userId: string, status: PresenceStatus): void {
    const frame: PresenceDown = { type: 'presence', userId, status };
    const text = JSON.stringify(frame);
    for (const s of this.sessions) s.sendRaw(text);
  }

  /** Tells this node's sessions that may see a voice channel who is in it now. */
  voiceChanged(channelId: string, participants: VoiceParticipant[]): void {
    const sessions = this.byScope.get(channelScope(channelId));
    if (!sessions) return;
    const frame: VoiceStateDown = { type: 'voice.state', channelId, participants };
    const text = JSON.stringify(frame);
    for (const s of sessions) s.sendRaw(text);
  }

  private onEvent(e: BusEvent): void {
    if (e.type === 'changes') {
      // Before delivering: a session's next permission check must see this version.
      if (e.scope === COMMUNITY_SCOPE) this.access.invalidate(e.to);
      if (e.dmAccess !== undefined) this.access.invalidateDms(e.dmAccess);
      const watching = this.byScope.get(e.scope);
      if (watching) {
        // Encoded once: a string would be measured and encoded again for every socket.
        const frame = Buffer.from(e.frame, 'utf8');
        for (const s of watching) s.deliver(e, frame);
      }
      fanoutDeliveries.inc(watching?.size ?? 0);
      if (e.scope === COMMUNITY_SCOPE) {
        if (e.accessChanged) for (const s of this.sessions) s.refreshAccess();
        else for (const s of this.sessions) s.refreshPermissions();
      } else if (e.accessChanged) {
        // A user's conversations changed: only that user's sessions re-check theirs.
        for (const s of watching ?? []) s.refreshAccess();
      }
    } else if (e.type === 'resync') {
      for (const s of this.sessions) s.resync();
    } else if (e.type === 'typing') {
      for (const s of this.byScope.get(channelScope(e.channelId)) ?? []) {
        if (s.userId !== e.userId) s.sendRaw(e.frame);
      }
    }
  }
}
