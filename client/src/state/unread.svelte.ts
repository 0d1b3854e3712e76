import { Dexie } from 'dexie';
import { untrack } from 'svelte';
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

const NO_CHANNELS: ReadonlyMap<string, ChannelUnread> = new Map();

const NOTHING: ChannelUnread = {
  unread: false,
  mentions: 0,
  latestMention: undefined,
  latestUnread: undefined,
  newestSeq: 0,
  lastReadSeq: 0,
  muted: false,
};

/**
 * Read marks and mutes (replicated through my user scope, so my other devices
 * follow), unread flags and mention counts per channel, and the rules that
 * mark the open channel read: opening it or reaching the bottom while the app
 * is visible, or Esc.
 */
export class Unread {
  #states: LiveQuery<null, ReadState[]>;
  #summary: LiveQuery<string, ReadonlyMap<string, ChannelUnread>>;
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
    this.#summary = new LiveQuery(
      () => this.myRoleIds().join(','),
      (roles) => summarize(replica, selfId, roles === '' ? [] : roles.split(',')),
      NO_CHANNELS,
      (e) => handleError(e),
      () => true,
    );
    this.#offVisibility = platform.onVisibilityChange((visible) => (this.visible = visible));

    $effect(() => {
      const id = this.currentChannelId();
      if (!id || !this.#summary.loaded) return;
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
    return this.#summary.current.get(channelId) ?? NOTHING;
  }

  /** Every channel's state, for notifications. */
  get all(): ReadonlyMap<string, ChannelUnread> {
    return this.#summary.current;
  }

  get loaded(): boolean {
    return this.#summary.loaded;
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
  }
}

/** Unread flags and mention counts of every channel with messages, from the replica. */
async function summarize(
  replica: ReplicaPort,
  selfId: string,
  roleIds: readonly string[],
): Promise<ReadonlyMap<string, ChannelUnread>> {
  const [channels, states] = await Promise.all([
    replica.channels.toArray(),
    replica.readStates.toArray(),
  ]);
  const stateOf = indexById(states);
  // A fresh result for each run of the live query, not state the UI mutates.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const out = new Map<string, ChannelUnread>();
  for (const channel of channels) {
    if (channel.kind === 'voice') continue;
    const state = stateOf.get(channel.id);
    const lastReadSeq = state?.lastReadSeq ?? 0;
    const confirmed = replica.messages
      .where('[channelId+sortKey]')
      .between([channel.id, Dexie.minKey], [channel.id, PENDING_SORT_BASE], true, false);
    const newest = await confirmed.last();
    const after = await replica.messages
      .where('[channelId+sortKey]')
      .between([channel.id, lastReadSeq], [channel.id, PENDING_SORT_BASE], false, false)
      .filter((m) => m.authorId !== selfId)
      .toArray();
    const mentioning = after.filter((m) => mentionsUser(m.mentions, selfId, roleIds));
    out.set(channel.id, {
      unread: after.length > 0,
      mentions: mentioning.length,
      latestMention: mentioning.at(-1),
      latestUnread: after.at(-1),
      newestSeq: newest?.seq ?? 0,
      lastReadSeq,
      muted: state?.muted ?? false,
    });
  }
  return out;
}
