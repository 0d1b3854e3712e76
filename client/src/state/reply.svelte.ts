import { getContext, setContext, tick } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import type { LocalMessage } from '../lib/engine-port.ts';
import type { Composer } from './composer.svelte.ts';
import type { ChannelMessages } from './messages.svelte.ts';

/** The message the composer's next message answers. */
export class Reply {
  #target: Pick<LocalMessage, 'id' | 'authorId' | 'channelId'> | null = $state(null);

  /** The message being answered, for the "Replying to ..." bar. */
  get target(): Pick<LocalMessage, 'id' | 'authorId' | 'channelId'> | null {
    return this.#target;
  }

  start(message: LocalMessage): void {
    this.#target = { id: message.id, authorId: message.authorId, channelId: message.channelId };
  }

  cancel(): void {
    this.#target = null;
  }

  /** The reply target for a message about to be sent to `channelId` (then forgotten). */
  take(channelId: string): string | undefined {
    const target = this.#target;
    this.#target = null;
    return target?.channelId === channelId ? target.id : undefined;
  }
}

/** The creation time a UUIDv7 carries, in ms since the epoch. */
export function uuidTime(id: string): number {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

/**
 * Jumping to a quoted message: which one to scroll to and highlight, and
 * originals known to be gone (searched back to the channel's start).
 */
export class Jump {
  /** The message the list should scroll to (then cleared by the list). */
  scrollId: string | null = $state(null);
  highlightId: string | null = $state(null);
  searching = $state(false);
  readonly missing = new SvelteSet<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Asks the list to show `id` and highlights it for a moment. */
  show(id: string): void {
    this.scrollId = id;
    this.highlightId = id;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.highlightId = null), 2500);
  }

  markMissing(id: string): void {
    this.missing.add(id);
  }
}

/**
 * The composer and message window a message row belongs to: the channel's by
 * default, a thread pane's inside it (set with {@link setPaneContext}).
 */
export interface Pane {
  composer: Composer;
  messages: ChannelMessages;
}

const PANE = Symbol('pane');

export function setPaneContext(pane: Pane): void {
  setContext(PANE, pane);
}

/** The pane of the calling component (call during component initialisation). */
export function paneContext(fallback: Pane): Pane {
  return getContext<Pane | undefined>(PANE) ?? fallback;
}

/** Polls until `check` holds or `timeoutMs` passes; true when it held. */
export async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * Widens `messages` a page at a time (from the replica, then the server) until
 * `id` is in it or the channel's start is reached. True when it is there.
 */
export async function loadUntil(
  messages: ChannelMessages,
  id: string,
  pages = 40,
): Promise<boolean> {
  for (let i = 0; i < pages; i++) {
    if (messages.list.some((m) => m.id === id)) return true;
    if (messages.atStart) return false;
    await messages.loadOlder();
    await tick();
    await waitFor(() => messages.loaded && !messages.loadingOlder);
  }
  return messages.list.some((m) => m.id === id);
}

/**
 * Shows message `id` in the open channel's list (see
 * {@link ChannelMessages.reach}) and waits until it is there. True when it is.
 */
export async function reachMessage(messages: ChannelMessages, id: string): Promise<boolean> {
  if (!(await messages.reach(id))) return false;
  return waitFor(() => messages.list.some((m) => m.id === id), 10_000);
}
