import {
  basePermissions,
  canSee,
  channelPermissions,
  dmPermissions,
  type ChannelOverride,
} from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { loadAccess, type AccessData, type AccessMember } from './load.ts';

/**
 * Answers "what may this user do here" from {@link AccessData} through the
 * pure resolvers in `shared/`, the same ones the client uses.
 */
export class Access {
  constructor(readonly data: AccessData) {}

  /** The member, unless they are unknown or banned. */
  member(userId: string): AccessMember | undefined {
    const m = this.data.members.get(userId);
    return m && !m.isBanned ? m : undefined;
  }

  /** Community-wide permissions; 0 for non-members. */
  base(userId: string, now = Date.now()): number {
    const m = this.member(userId);
    return m ? basePermissions(m, this.data.community, now) : 0;
  }

  /** Permissions in a live channel; 0 for non-members and unknown or deleted channels. */
  channel(userId: string, channelId: string, now = Date.now()): number {
    const m = this.member(userId);
    // A thread has no overrides of its own: it follows its (live) parent channel.
    const parentId = this.data.channels.get(channelId)?.parentId;
    const ruling = parentId ?? channelId;
    if (!m || !this.data.channels.has(channelId) || !this.data.channels.has(ruling)) return 0;
    if (this.data.channels.get(ruling)?.kind === 'dm') return this.dm(userId, ruling, now);
    const overrides: readonly ChannelOverride[] = this.data.overrides.get(ruling) ?? [];
    return channelPermissions(m, this.data.community, overrides, now);
  }

  /** Permissions in a direct conversation (see {@link dmPermissions}). */
  private dm(userId: string, dmId: string, now: number): number {
    const dm = this.data.dms.get(dmId);
    const m = this.member(userId);
    if (!dm || !m) return 0;
    const other = [...dm.participants].find((id) => id !== userId);
    return dmPermissions({
      isParticipant: dm.participants.has(userId),
      isGroup: dm.isGroup,
      otherIsMember: other !== undefined && this.member(other) !== undefined,
      isBlocked:
        other !== undefined &&
        (this.data.blocks.has(`${userId}:${other}`) || this.data.blocks.has(`${other}:${userId}`)),
      isTimedOut: m.timedOutUntil !== null && m.timedOutUntil > now,
    });
  }

  /** The participants of a live direct conversation, if `id` is one. */
  dmParticipants(id: string): ReadonlySet<string> | undefined {
    return this.data.dms.get(id)?.participants;
  }

  canSeeChannel(userId: string, channelId: string, now = Date.now()): boolean {
    return canSee(this.channel(userId, channelId, now));
  }

  /** Ids of the live channels the user may see. */
  visibleChannels(userId: string, now = Date.now()): string[] {
    return [...this.data.channels.keys()].filter((id) => this.canSeeChannel(userId, id, now));
  }
}

/**
 * One {@link Access} per process, reloaded when the community scope (roles,
 * members, channels) or the DM access counter (conversations' participants,
 * blocks) moves past the version it was loaded at. Nodes learn of new
 * versions from the bus and call {@link AccessCache.invalidate} and
 * {@link AccessCache.invalidateDms}.
 *
 * Loads run one at a time, each after the last, so `current` only moves
 * forward. A caller that just wrote and asks for a {@link reload} never gets a
 * load that was already reading: it joins the next one, which starts once the
 * running one ends (a revoke pass computed from data read before the write
 * would leave a user subscribed to a channel they lost).
 */
export class AccessCache {
  private current: Access | undefined;
  /** The load that has started reading and not finished. */
  private running: Promise<Access> | undefined;
  /** The load queued behind it, not started yet: everyone who joins it asked before it reads. */
  private queued: Promise<Access> | undefined;
  /** The end of the chain of loads (failures swallowed: the caller of that load saw them). */
  private tail: Promise<unknown> = Promise.resolve();
  private wanted = 0;
  private wantedDms = 0;

  constructor(private readonly db: Queryable) {}

  /** The community scope reached `version`: the next {@link get} reloads if older. */
  invalidate(version: number): void {
    this.wanted = Math.max(this.wanted, version);
  }

  /** The DM access counter reached `version`: the next {@link get} reloads if older. */
  invalidateDms(version: number): void {
    this.wantedDms = Math.max(this.wantedDms, version);
  }

  /** Access loaded at versions at least as new as every {@link invalidate}d one so far. */
  async get(): Promise<Access> {
    const wanted = { version: this.wanted, dmVersion: this.wantedDms };
    const fresh = (a: Access) =>
      a.data.version >= wanted.version && a.data.dmVersion >= wanted.dmVersion;
    if (this.current && fresh(this.current)) return this.current;
    // A running load may have read the wanted versions already (it reads them first);
    // if it started too early it does not count, and a load that starts later does.
    const running = this.running;
    if (running) {
      const access = await running;
      if (fresh(access)) return access;
    }
    return this.reload();
  }

  /**
   * Access loaded at community `version` or later, and at DM access counter
   * `dmVersion` or later (versions read from the database): the cached one
   * when it is new enough, without a query.
   */
  atLeast(version: number, dmVersion = 0): Promise<Access> {
    this.invalidate(version);
    this.invalidateDms(dmVersion);
    return this.get();
  }

  /**
   * Loads data read after this call (a user unknown to the cache may have
   * joined on another node a moment ago; a test may have written straight to
   * the database). Callers while a load is queued share it.
   */
  reload(): Promise<Access> {
    if (this.queued) return this.queued;
    const load: Promise<Access> = this.tail.then(async () => {
      // From here on it reads: later callers must queue another load.
      this.queued = undefined;
      this.running = load;
      try {
        const access = new Access(await loadAccess(this.db));
        this.current = access;
        return access;
      } finally {
        this.running = undefined;
      }
    });
    this.queued = load;
    this.tail = load.catch(() => undefined);
    return load;
  }
}
