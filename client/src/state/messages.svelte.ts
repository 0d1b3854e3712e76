import { Dexie } from 'dexie';
import { Limits } from '@echora/shared';
import type { EnginePort, LocalMessage, ReplicaPort } from '../lib/engine-port.ts';
import { kvGet } from '../lib/kv.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { buildTimeline } from '../lib/timeline.ts';
import { handleError } from './toasts.svelte.ts';

const PAGE = Limits.historyPage;

/**
 * The open channel's messages: a window of the newest `limit` rows from the
 * replica, widened a page at a time as the user scrolls up (from the replica
 * first, then from the server through the engine).
 */
export class ChannelMessages {
  limit = $state(PAGE);
  loadingOlder = $state(false);
  /** The engine's word on whether the server holds older messages than the replica. */
  #serverHasMore: LiveQuery<string | undefined, boolean>;
  #rows: LiveQuery<{ channelId: string | undefined; limit: number }, LocalMessage[]>;

  /**
   * Until the channel's first message is here, the oldest loaded row is kept
   * out of view as context for the next one's grouping and day separator.
   */
  timeline = $derived(
    this.atStart ? buildTimeline(this.list) : buildTimeline(this.list.slice(1), this.list[0]),
  );

  constructor(
    private readonly replica: ReplicaPort,
    private readonly engine: EnginePort,
    private readonly channelId: () => string | undefined,
  ) {
    this.#rows = new LiveQuery(
      () => ({ channelId: channelId(), limit: this.limit }),
      async ({ channelId, limit }) => {
        if (!channelId) return [];
        const newestFirst = await replica.messages
          .where('[channelId+sortKey]')
          .between([channelId, Dexie.minKey], [channelId, Dexie.maxKey])
          .reverse()
          .limit(limit)
          .toArray();
        return newestFirst.reverse();
      },
      [],
      (e) => handleError(e),
      (previous, next) => previous.channelId === next.channelId,
    );
    // Unknown (a channel made on this device, not yet synced) counts as complete.
    this.#serverHasMore = new LiveQuery(
      channelId,
      async (id) => (id ? ((await kvGet<boolean>(replica, `hasMore:${id}`)) ?? false) : false),
      true,
      (e) => handleError(e),
    );
  }

  get list(): LocalMessage[] {
    return this.#rows.current;
  }

  get loaded(): boolean {
    return this.#rows.loaded;
  }

  /** True when nothing older remains, locally or on the server. */
  get atStart(): boolean {
    return (
      this.#rows.loaded &&
      this.#serverHasMore.loaded &&
      this.list.length < this.limit &&
      !this.#serverHasMore.current
    );
  }

  /** Back to the newest page (on channel switch). */
  reset(): void {
    this.limit = PAGE;
  }

  /** Widens the window by a page; asks the server first when the replica holds no more. */
  async loadOlder(): Promise<void> {
    const channelId = this.channelId();
    if (!channelId || this.loadingOlder || this.atStart || !this.#rows.loaded) return;
    this.loadingOlder = true;
    try {
      const held = await this.replica.messages
        .where('[channelId+sortKey]')
        .between([channelId, Dexie.minKey], [channelId, Dexie.maxKey])
        .count();
      // The engine records the server's answer in kv (`hasMore:<channel>`), which `atStart` follows.
      if (held <= this.limit) await this.engine.loadOlder(channelId);
      if (this.channelId() === channelId) this.limit += PAGE;
    } catch (e) {
      handleError(e, 'Could not load older messages');
    } finally {
      this.loadingOlder = false;
    }
  }

  /** The newest message by this user that the server has confirmed, for ↑-to-edit. */
  lastOwn(userId: string | undefined): LocalMessage | undefined {
    return this.list.findLast((m) => m.authorId === userId && m.status === 'sent');
  }
}
