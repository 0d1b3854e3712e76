import type { AroundResponse } from '@echora/shared/protocol/rest/search';
import type { LocalMessage, ReplicaPort } from '../lib/engine-port.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { confirmed } from '../sync/replica.ts';

/** Asks the server for the messages of `channelId` around message `around`. */
export type FetchAround = (
  channelId: string,
  around: string,
  limit: number,
) => Promise<AroundResponse>;

/** Messages fetched per side of the window's edge. */
const AROUND_PAGE = 50;

interface Window {
  channelId: string;
  rows: LocalMessage[];
  hasBefore: boolean;
  hasAfter: boolean;
}

/**
 * A stretch of a channel's history far from the present, fetched from the
 * server around one message (a search result months back) and kept in
 * memory: the replica holds the channel from the newest message back without
 * gaps, and this stretch must not open one. Rows the replica holds too (the
 * feed brought an edit or a reaction) are shown as the replica has them.
 * It widens a page at a time on either side as the reader scrolls.
 */
export class HistoryWindow {
  #window = $state<Window | null>(null);
  #busy = false;
  #held: LiveQuery<string, ReadonlyMap<string, LocalMessage>>;

  constructor(
    replica: ReplicaPort,
    private readonly fetchAround: FetchAround,
  ) {
    // Plain maps, replaced whole on every answer: nothing mutates them in place.
    this.#held = new LiveQuery<string, ReadonlyMap<string, LocalMessage>>(
      () => this.#window?.rows.map((m) => m.id).join() ?? '',
      async (ids) => {
        const rows = ids ? await replica.messages.bulkGet(ids.split(',')) : [];
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- never mutated after this
        return new Map(rows.flatMap((m) => (m ? [[m.id, m] as const] : [])));
      },
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- never mutated
      new Map(),
      () => undefined,
      () => true,
    );
  }

  /** The window when it shows `channelId`, else null. */
  of(channelId: string | undefined): Window | null {
    const w = this.#window;
    return w && channelId !== undefined && w.channelId === channelId ? w : null;
  }

  rows(w: Window): LocalMessage[] {
    const held = this.#held.current;
    return w.rows.map((m) => held.get(m.id) ?? m);
  }

  /** Replaces the window with the history around `id` (throws what the server answered). */
  async open(channelId: string, id: string): Promise<void> {
    const page = await this.fetchAround(channelId, id, AROUND_PAGE);
    this.#window = {
      channelId,
      rows: page.messages.map(confirmed),
      hasBefore: page.hasBefore,
      hasAfter: page.hasAfter,
    };
  }

  /** Widens the window by a page before its first row (`older`) or after its last. */
  async widen(older: boolean): Promise<void> {
    const w = this.#window;
    const edge = older ? w?.rows[0] : w?.rows.at(-1);
    if (!w || !edge || this.#busy || (older ? !w.hasBefore : !w.hasAfter)) return;
    this.#busy = true;
    try {
      const page = await this.fetchAround(w.channelId, edge.id, AROUND_PAGE);
      if (this.#window !== w) return;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local to this call
      const known = new Set(w.rows.map((m) => m.id));
      const fresh = page.messages.filter((m) => !known.has(m.id)).map(confirmed);
      const rows = [...w.rows, ...fresh].sort((a, b) => a.sortKey - b.sortKey);
      this.#window = {
        ...w,
        rows,
        hasBefore: older ? page.hasBefore : w.hasBefore,
        hasAfter: older ? w.hasAfter : page.hasAfter,
      };
    } finally {
      this.#busy = false;
    }
  }

  close(): void {
    this.#window = null;
  }
}
