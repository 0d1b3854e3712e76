import type { WebSocket } from 'ws';

/** The byte bounds of one socket's outbound buffer. */
export interface OutboundLimits {
  /**
   * A frame that would take a backlog (more than `pauseBytes`) past this is
   * not queued: `overflow` is called. Producers that wait for {@link
   * Outbound.drained} stay under `pauseBytes` + their largest frame, so this
   * must be above that (catch-up frames run to a couple of MB).
   */
  maxBytes: number;
  /** Above this, {@link Outbound.backedUp} holds and {@link Outbound.drained} waits. */
  pauseBytes: number;
}

/**
 * What one socket has waiting to be sent, kept under a bound. `ws` buffers
 * whatever it is given in memory when the peer does not read, so every frame
 * goes through here: one that would pass `maxBytes` calls `overflow` (the
 * session closes the socket) instead, and producers that can wait (history
 * pages, catch-up) wait on {@link drained} until the client has read enough.
 */
export class Outbound {
  /** Made when a producer first waits (most sockets never do). */
  #waiters: (() => void)[] | undefined;
  #closed = false;
  // One callback for every send: `ws` calls it once the frame left the process.
  readonly #flushed = (): void => this.#wake();

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: OutboundLimits,
    private readonly overflow: () => void,
  ) {}

  /** Bytes handed to the socket and not yet taken by the network. */
  get waiting(): number {
    return this.ws.bufferedAmount;
  }

  /** True while more than `pauseBytes` wait. */
  get backedUp(): boolean {
    return this.ws.bufferedAmount > this.limits.pauseBytes;
  }

  /**
   * Queues a frame, or calls `overflow` when it would take a backlog past the
   * bound; sends nothing once closed. A frame to a socket that has caught up
   * always goes, however large.
   */
  send(text: string): void {
    if (this.#closed || this.ws.readyState !== this.ws.OPEN) return;
    const waiting = this.ws.bufferedAmount;
    // UTF-16 length stands in for bytes (at most 3x under) without encoding the frame twice.
    if (waiting > this.limits.pauseBytes && waiting + text.length > this.limits.maxBytes) {
      this.overflow();
      return;
    }
    this.ws.send(text, this.#flushed);
  }

  /** Resolves once no more than `pauseBytes` wait, or at once when closed. */
  drained(): Promise<void> {
    if (this.#closed || !this.backedUp) return Promise.resolve();
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  /** Sends nothing more and releases every waiter. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters === undefined || (!this.#closed && this.backedUp)) return;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    for (const resolve of waiters) resolve();
  }
}
