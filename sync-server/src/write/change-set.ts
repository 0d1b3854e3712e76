import { COMMUNITY_SCOPE, type Change, type ChangesDown, type Mentions } from '@echora/shared';
import type { Bus, ChangesEvent } from '../bus/types.ts';
import type { Queryable } from '../db/types.ts';
import {
  appendAt,
  appendChanges,
  DM_ACCESS_COUNTER,
  takeVersions,
  type FeedEntry,
} from './feed.ts';

/**
 * A message this transaction wrote that may notify people once it commits
 * (Web Push to those not connected). Handed to the writer's `committed`
 * listeners on the node that wrote it, so it is sent once.
 */
export interface MessageNotice {
  messageId: string;
  channelId: string;
  authorId: string;
  mentions: Mentions;
}

interface ScopeChanges {
  from: number;
  to: number;
  changes: Change[];
}

/**
 * The changes one transaction writes, kept so they can be published after it
 * commits (never before: a reader could see a version that then rolls back).
 */
export class ChangeSet {
  private readonly scopes = new Map<string, ScopeChanges>();
  /** Channel ids whose visibility may have changed (created, deleted). */
  readonly accessChannels = new Set<string>();
  /**
   * Who may see which channel may have changed for anyone (roles, member
   * roles, overrides, kick, ban): the community event makes every session
   * re-check its channels, revoking or bootstrapping them.
   */
  accessAll = false;
  /**
   * The {@link DM_ACCESS_COUNTER} version this transaction took: a
   * conversation's participants (or a block) changed, and every node's
   * permission cache must reload before judging a later change.
   */
  dmAccess: number | undefined;
  /** New messages that mention someone, for after commit. */
  readonly notices: MessageNotice[] = [];

  /** Appends to the feed under new versions; see {@link appendChanges}. */
  async append(tx: Queryable, scope: string, entries: readonly FeedEntry[]): Promise<Change[]> {
    const changes = await appendChanges(tx, scope, entries);
    this.add(scope, changes);
    return changes;
  }

  /** Appends under versions the caller took already (a message's seq is its version). */
  async appendAt(
    tx: Queryable,
    scope: string,
    first: number,
    entries: readonly FeedEntry[],
  ): Promise<Change[]> {
    const changes = await appendAt(tx, scope, first, entries);
    this.add(scope, changes);
    return changes;
  }

  /** Notes changes a set write already put in the feed (see `appendRows`). */
  appended(scope: string, changes: Change[]): void {
    this.add(scope, changes);
  }

  /**
   * Takes the next DM access version, once per change set. Call it before
   * appending to the participants' scopes: every such writer then locks the
   * counter first, so two of them never wait on each other's user scopes.
   */
  async bumpDmAccess(tx: Queryable): Promise<void> {
    if (this.dmAccess !== undefined) return;
    this.dmAccess = await takeVersions(tx, DM_ACCESS_COUNTER);
  }

  /** The last version written to `scope`, if any. */
  lastVersion(scope: string): number | undefined {
    return this.scopes.get(scope)?.to;
  }

  /** One event per scope, each frame serialized once for every recipient on every node. */
  events(): ChangesEvent[] {
    return [...this.scopes].map(([scope, s]) => {
      const frame: ChangesDown = {
        type: 'changes',
        scope,
        from: s.from,
        to: s.to,
        changes: s.changes,
      };
      const event: ChangesEvent = {
        type: 'changes',
        scope,
        from: s.from,
        to: s.to,
        frame: JSON.stringify(frame),
      };
      const channelIds = s.changes.flatMap((c) =>
        c.entity !== 'channel' ? [] : [c.op === 'delete' ? c.id : c.data.id],
      );
      if (channelIds.length > 0) event.channelIds = channelIds;
      if (channelIds.some((id) => this.accessChannels.has(id))) event.accessChanged = true;
      if (this.accessAll && scope === COMMUNITY_SCOPE) event.accessChanged = true;
      if (this.dmAccess !== undefined) event.dmAccess = this.dmAccess;
      return event;
    });
  }

  /** Publishes after commit. A lost publish only delays delivery: the next one shows a gap. */
  async publish(bus: Bus): Promise<void> {
    for (const event of this.events()) await bus.publish(event);
  }

  /**
   * Takes in `other`, written after this set in the same transaction (group
   * commit), so each scope goes out as one frame. Keep in step with new fields.
   */
  absorb(other: ChangeSet): void {
    for (const [scope, s] of other.scopes) this.add(scope, s.changes);
    for (const id of other.accessChannels) this.accessChannels.add(id);
    if (other.accessAll) this.accessAll = true;
    if (other.dmAccess !== undefined) this.dmAccess = Math.max(this.dmAccess ?? 0, other.dmAccess);
    this.notices.push(...other.notices);
  }

  private add(scope: string, changes: Change[]): void {
    const first = changes[0];
    const last = changes.at(-1);
    if (!first || !last) return;
    const s = this.scopes.get(scope);
    if (s) {
      s.to = last.version;
      s.changes.push(...changes);
    } else {
      this.scopes.set(scope, { from: first.version - 1, to: last.version, changes: [...changes] });
    }
  }
}
