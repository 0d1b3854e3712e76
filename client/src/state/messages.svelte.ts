import { Dexie } from 'dexie';
import { SvelteSet } from 'svelte/reactivity';
import { Limits } from '@echora/shared';
import type { EnginePort, LocalMessage, ReplicaPort } from '../lib/engine-port.ts';
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
  /** Channels whose first message is already in the replica. */
  #complete = new SvelteSet<string>();
  #rows: LiveQuery<{ channelId: string | undefined; limit: number }, LocalMessage[]>;

  timeline = $derived(buildTimeline(this.list));

  constructor(
    replica: ReplicaPort,
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
    const channelId = this.channelId();
    return (
      this.#rows.loaded &&
      this.list.length < this.limit &&
      channelId !== undefined &&
      this.#complete.has(channelId)
    );
  }

  /** Back to the newest page (on channel switch). */
  reset(): void {
    this.limit = PAGE;
  }

  /** Widens the window by a page; asks the server when the replica has no more. */
  async loadOlder(): Promise<void> {
    const channelId = this.channelId();
    if (!channelId || this.loadingOlder || this.atStart || !this.#rows.loaded) return;
    this.loadingOlder = true;
    try {
      if (this.list.length >= this.limit) {
        this.limit += PAGE;
        return;
      }
      const { hasMore } = await this.engine.loadOlder(channelId);
      if (!hasMore) this.#complete.add(channelId);
      this.limit += PAGE;
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
