import { Dexie, liveQuery } from 'dexie';
import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { mentionsUser, type ReadState } from '@echora/shared';
import type { EnginePort, LocalMessage, ReplicaPort } from '../lib/engine-port.ts';
import { indexById } from '../lib/format.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { platform } from '../platform/index.ts';
import { handleError } from './toasts.svelte.ts';

/** Confirmed messages sort below this key; pending ones above (see the replica's README). */
const PENDING_SORT_BASE = 1e15;

/** Where a channel stands for me, counted from the replica. */
export interface ChannelUnread {
  /** Messages by others after my read mark (a muted channel still counts them). */
  unread: boolean;
  /** Of those, how many mention me (directly, a role of mine, or everyone). */
  mentions: number;
  /** The newest of those mentions, for a notification. */
  latestMention: LocalMessage | undefined;
  /** The newest unread message by someone else (notifications for every message). */
  latestUnread: LocalMessage | undefined;
  /** The newest confirmed message's seq (0: none). */
  newestSeq: number;
  lastReadSeq: number;
  muted: boolean;
}

/** How long the open channel waits before it is marked read (messages often come in bursts). */
const MARK_DELAY_MS = 400;

const NOTHING: ChannelUnread = {
  unread: false,
  mentions: 0,
  latestMention: undefined,
  latestUnread: undefined,
  newestSeq: 0,
  lastReadSeq: 0,
  muted: false,
};

/** What one channel's summary is computed from: when it changes, the query starts again. */
interface Watch {
  key: string;
  subscription: { unsubscribe(): void };
}

/**
 * Read marks and mutes (replicated through my user scope, so my other devices
 * follow), unread flags and mention counts per channel, and the rules that
 * mark the open channel read: opening it or reaching the bottom while the app
 * is visible, or Esc.
 *
 * Each channel has its own live query, so a message re-counts its channel
 * only: one query over every channel re-read every held message on each
 * arrival, and a burst into a big community kept the app busy for seconds.
 */
export class Unread {
  #states: LiveQuery<null, ReadState[]>;
  #channels: LiveQuery<null, string[]>;
  #summaries = new SvelteMap<string, ChannelUnread>();
  // Bookkeeping of subscriptions, never read by the UI.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #watches = new Map<string, Watch>();
  /** The open channel's read mark when it was opened: the "New messages" divider goes after it. */
  #divider: { channelId: string; seq: number } | undefined = $state();
  #openedId: string | undefined;
  /** The message list is scrolled to its end (set by the list). */
  atBottom = $state(true);
  visible = $state(typeof document === 'undefined' || document.visibilityState === 'visible');
  #offVisibility: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  stateById = $derived.by(() => indexById(this.#states.current));

  constructor(
    replica: ReplicaPort,
    private readonly engine: EnginePort,
    private readonly selfId: string,
    private readonly myRoleIds: () => readonly string[],
    private readonly currentChannelId: () => string | undefined,
  ) {
    this.#states = new LiveQuery(
      () => null,
      () => replica.readStates.toArray(),
      [],
      (e) => handleError(e),
    );
    this.#channels = new LiveQuery(
      () => null,
      async () =>
        (await replica.channels.toArray()).flatMap((c) => (c.kind === 'voice' ? [] : [c.id])),
      [],
      (e) => handleError(e),
    );
    $effect(() => {
      if (!this.#channels.loaded) return;
      const roleIds = this.myRoleIds();
      const wanted = this.#channels.current.map((id) => {
        const state = this.stateById.get(id);
        return { id, lastReadSeq: state?.lastReadSeq ?? 0, muted: state?.muted ?? false };
      });
      untrack(() => this.#follow(replica, roleIds, wanted));
    });
    this.#offVisibility = platform.onVisibilityChange((visible) => (this.visible = visible));

    $effect(() => {
      const id = this.currentChannelId();
      if (!id || !this.#summaries.has(id)) return;
      const s = this.of(id);
      const watching = this.visible && this.atBottom;
      untrack(() => {
        // The divider marks what was unread on opening, or what arrived while I looked away;
        // messages that arrive while I watch the end of the list are read as they come.
        const held = this.#divider?.channelId === id ? this.#divider : undefined;
        const opening = this.#openedId !== id;
        this.#openedId = id;
        if (opening) this.#divider = s.unread ? { channelId: id, seq: s.lastReadSeq } : undefined;
        else if (!held && s.unread && !watching)
          this.#divider = { channelId: id, seq: s.lastReadSeq };
      });
      if (watching && s.newestSeq > s.lastReadSeq) untrack(() => this.#soon(id));
    });
  }

  /** A channel's unread state (nothing unread for unknown channels). */
  of(channelId: string): ChannelUnread {
    return this.#summaries.get(channelId) ?? NOTHING;
  }

  /** Every channel's state, for notifications. */
  get all(): ReadonlyMap<string, ChannelUnread> {
    return this.#summaries;
  }

  /** Every channel has been counted once. */
  get loaded(): boolean {
    return this.#channels.loaded && this.#channels.current.every((id) => this.#summaries.has(id));
  }

  /**
   * One live query per channel, started again when what it counts from (the
   * read mark, the mute, my roles) changes; channels gone are forgotten.
   */
  #follow(
    replica: ReplicaPort,
    roleIds: readonly string[],
    wanted: { id: string; lastReadSeq: number; muted: boolean }[],
  ): void {
    const roles = roleIds.join(',');
    // Local to this call.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const keep = new Set(wanted.map((w) => w.id));
    for (const [id, watch] of this.#watches) {
      if (keep.has(id)) continue;
      watch.subscription.unsubscribe();
      this.#watches.delete(id);
      this.#summaries.delete(id);
    }
    for (const { id, lastReadSeq, muted } of wanted) {
      const key = `${lastReadSeq}|${muted}|${roles}`;
      if (this.#watches.get(id)?.key === key) continue;
      this.#watches.get(id)?.subscription.unsubscribe();
      const subscription = liveQuery(() =>
        summarize(replica, this.selfId, roleIds, id, lastReadSeq, muted),
      ).subscribe({
        next: (summary) => this.#summaries.set(id, summary),
        error: (e: unknown) => handleError(e),
      });
      this.#watches.set(id, { key, subscription });
    }
  }

  /** The seq after which the "New messages" divider sits in `channelId`, if it has one. */
  dividerAfter(channelId: string): number | undefined {
    return this.#divider?.channelId === channelId ? this.#divider.seq : undefined;
  }

  /** True when `message` calls on me; my own messages never do. */
  mentionsMe(message: Pick<LocalMessage, 'authorId' | 'mentions'>): boolean {
    return (
      message.authorId !== this.selfId &&
      mentionsUser(message.mentions, this.selfId, this.myRoleIds())
    );
  }

  /** Marks a channel read up to its newest message (Esc, or "Mark as read"). */
  markRead(channelId: string): void {
    const s = this.of(channelId);
    if (s.newestSeq > s.lastReadSeq) this.#mark(channelId, s.newestSeq);
  }

  isMuted(channelId: string): boolean {
    return this.stateById.get(channelId)?.muted ?? false;
  }

  setMuted(channelId: string, muted: boolean): void {
    this.engine.mutate('channel.mute', { channelId, muted }).then(
      (r) => {
        if (!r.ok) handleError(r.error);
      },
      (e: unknown) => handleError(e),
    );
  }

  /**
   * Marks the open channel read a moment from now, with whatever is newest then:
   * a burst of messages costs one mutation, not one each.
   */
  #soon(channelId: string): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.currentChannelId() !== channelId || !this.visible || !this.atBottom) return;
      this.markRead(channelId);
    }, MARK_DELAY_MS);
  }

  #mark(channelId: string, seq: number): void {
    this.engine.mutate('read.mark', { channelId, seq }).then(
      (r) => {
        // A channel deleted meanwhile is nothing to tell the user about.
        if (!r.ok && r.error.kind !== 'not_found') handleError(r.error);
      },
      (e: unknown) => handleError(e),
    );
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#offVisibility();
    for (const watch of this.#watches.values()) watch.subscription.unsubscribe();
    this.#watches.clear();
  }
}

/**
 * One channel's unread flag and mention count, from the replica: the newest
 * confirmed message, and every confirmed one after my read mark (read whole,
 * then filtered here: a filtered range walks a cursor row by row).
 */
async function summarize(
  replica: ReplicaPort,
  selfId: string,
  roleIds: readonly string[],
  channelId: string,
  lastReadSeq: number,
  muted: boolean,
): Promise<ChannelUnread> {
  const newest = await replica.messages
    .where('[channelId+sortKey]')
    .between([channelId, Dexie.minKey], [channelId, PENDING_SORT_BASE], true, false)
    .last();
  const after = (
    await replica.messages
      .where('[channelId+sortKey]')
      .between([channelId, lastReadSeq], [channelId, PENDING_SORT_BASE], false, false)
      .toArray()
  ).filter((m) => m.authorId !== selfId);
  const mentioning = after.filter((m) => mentionsUser(m.mentions, selfId, roleIds));
  return {
    unread: after.length > 0,
    mentions: mentioning.length,
    latestMention: mentioning.at(-1),
    latestUnread: after.at(-1),
    newestSeq: newest?.seq ?? 0,
    lastReadSeq,
    muted,
  };
}
