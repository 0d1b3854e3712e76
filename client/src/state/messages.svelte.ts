import { Dexie } from 'dexie';
import { Limits } from '@echora/shared';
import type { EnginePort, LocalMessage, ReplicaPort } from '../lib/engine-port.ts';
import { kvGet } from '../lib/kv.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { buildTimeline } from '../lib/timeline.ts';
import { HistoryWindow, type FetchAround } from './history-window.svelte.ts';
import { handleError } from './toasts.svelte.ts';

const PAGE = Limits.historyPage;

/**
 * The open channel's messages: a window of the newest `limit` rows from the
 * replica, widened a page at a time as the user scrolls up (from the replica
 * first, then from the server through the engine). Jumping to a message the
 * replica does not hold shows a window of history around it instead
 * ({@link HistoryWindow}), until the reader jumps back to the present.
 */
export class ChannelMessages {
  limit: number = $state(PAGE);
  loadingOlder = $state(false);
  /** The engine's word on whether the server holds older messages than the replica. */
  #serverHasMore: LiveQuery<string | undefined, boolean>;
  #rows: LiveQuery<{ channelId: string | undefined; limit: number }, LocalMessage[]>;
  #far: HistoryWindow | undefined;

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
    /** Without it (thread panes), jumps reach only what the replica holds. */
    fetchAround?: FetchAround,
  ) {
    if (fetchAround) this.#far = new HistoryWindow(replica, fetchAround);
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

  get #window() {
    return this.#far?.of(this.channelId()) ?? null;
  }

  get list(): LocalMessage[] {
    const w = this.#window;
    return w ? (this.#far?.rows(w) ?? []) : this.#rows.current;
  }

  get loaded(): boolean {
    return this.#window !== null || this.#rows.loaded;
  }

  /** True while showing history far back (not the newest messages). */
  get away(): boolean {
    return this.#window !== null;
  }

  /** Away, with newer messages to load before the present. */
  get hasNewer(): boolean {
    return this.#window?.hasAfter ?? false;
  }

  /** True when nothing older remains, locally or on the server. */
  get atStart(): boolean {
    const w = this.#window;
    if (w) return !w.hasBefore;
    return (
      this.#rows.loaded &&
      this.#serverHasMore.loaded &&
      this.list.length < this.limit &&
      !this.#serverHasMore.current
    );
  }

  /** Back to the newest page (on channel switch, and "Jump to present"). */
  reset(): void {
    this.limit = PAGE;
    this.#far?.close();
  }

  /**
   * Makes message `id` of the open channel part of the list: widens the
   * replica's window when the replica holds it, else (online) fetches the
   * history around it from the server. False when it cannot be shown.
   */
  async reach(id: string): Promise<boolean> {
    const channelId = this.channelId();
    if (!channelId) return false;
    if (this.list.some((m) => m.id === id)) return true;
    const held = await this.replica.messages.get(id);
    if (held?.channelId === channelId) {
      const newer = await this.replica.messages
        .where('[channelId+sortKey]')
        .between([channelId, held.sortKey], [channelId, Dexie.maxKey])
        .count();
      this.#far?.close();
      // A few older rows above it too, for context.
      this.limit = Math.max(this.limit, newer + 10);
      return true;
    }
    if (!this.#far) return false;
    try {
      await this.#far.open(channelId, id);
    } catch (e) {
      handleError(e, 'Could not load that part of the history');
      return false;
    }
    return this.channelId() === channelId;
  }

  /** Away: loads the next page of newer history. */
  async loadNewer(): Promise<void> {
    if (!this.#window || this.loadingOlder) return;
    try {
      await this.#far?.widen(false);
    } catch (e) {
      handleError(e, 'Could not load newer messages');
    }
  }

  /** Widens the window by a page; asks the server first when the replica holds no more. */
  async loadOlder(): Promise<void> {
    const channelId = this.channelId();
    if (this.#window) {
      if (this.loadingOlder || this.atStart) return;
      this.loadingOlder = true;
      try {
        await this.#far?.widen(true);
      } catch (e) {
        handleError(e, 'Could not load older messages');
      } finally {
        this.loadingOlder = false;
      }
      return;
    }
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
