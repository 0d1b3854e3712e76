import { basePermissions, canSee, channelPermissions, type ChannelOverride } from '@echora/shared';
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
    const overrides: readonly ChannelOverride[] = this.data.overrides.get(ruling) ?? [];
    return channelPermissions(m, this.data.community, overrides, now);
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
 * members, channels) moves past the version it was loaded at. Nodes learn of
 * new community versions from the bus and call {@link AccessCache.invalidate}.
 */
export class AccessCache {
  private current: Access | undefined;
  private loading: Promise<Access> | undefined;
  private wanted = 0;

  constructor(private readonly db: Queryable) {}

  /** The community scope reached `version`: the next {@link get} reloads if older. */
  invalidate(version: number): void {
    this.wanted = Math.max(this.wanted, version);
  }

  async get(): Promise<Access> {
    if (this.current && this.current.data.version >= this.wanted) return this.current;
    return this.reload();
  }

  /** Reloads now (a user unknown to the cache may have joined on another node a moment ago). */
  reload(): Promise<Access> {
    this.loading ??= loadAccess(this.db)
      .then((data) => {
        this.current = new Access(data);
        return this.current;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
