import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * The byte bounds of a socket's outbound buffer (the engine's options: one
 * object that every socket shares).
 */
export interface OutboundLimits {
  /**
   * A frame that would take a backlog (more than `socketPauseBytes`) past
   * this is not queued: the owner's `overflow` is called. Producers that wait
   * for {@link Outbound.drained} stay under `socketPauseBytes` + their
   * largest frame, so this must be above that (catch-up frames run to a
   * couple of MB).
   */
  readonly socketBufferBytes: number;
  /** Above this, {@link Outbound.backedUp} holds and {@link Outbound.drained} waits. */
  readonly socketPauseBytes: number;
}

/** A frame given as bytes goes out as text too (`ws` would make it binary). */
const TEXT = { binary: false } as const;

/**
 * TCP sockets that were sent to in this turn of the event loop, corked, and
 * uncorked together once the turn's I/O callbacks have run: a socket that is
 * sent several frames in a turn (a fan-out of several commits) writes them in
 * one system call instead of one each. `ws` corks around each frame itself;
 * corks nest, so its uncork leaves ours in place.
 */
const corked: Socket[] = [];

function uncorkAll(): void {
  // One that passed `socketPauseBytes` was uncorked already (uncorking twice does nothing).
  for (const tcp of corked) if (tcp.writableCorked > 0) tcp.uncork();
  corked.length = 0;
}

/** Who is told when a frame would take the backlog past `socketBufferBytes`. */
export interface OutboundOwner {
  overflow(): void;
}

/**
 * What one socket has waiting to be sent, kept under a bound. `ws` buffers
 * whatever it is given in memory when the peer does not read, so every frame
 * goes through here: one that would pass `socketBufferBytes` calls the owner's `overflow`
 * (the session closes the socket) instead, and producers that can wait (history
 * pages, catch-up) wait on {@link drained} until the client has read enough.
 */
export class Outbound {
  /** Made when a producer first waits (most sockets never do). */
  #waiters: (() => void)[] | undefined;
  #closed = false;
  /**
   * One callback for every send: `ws` calls it once the frame left the
   * process. A bound method, not an arrow field: the transpiler's name helper
   * turns a named arrow into a function with its own property table (~300
   * bytes more per socket).
   */
  readonly #flushed: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: OutboundLimits,
    private readonly owner: OutboundOwner,
  ) {
    this.#flushed = this.#wake.bind(this);
  }

  /** Bytes handed to the socket and not yet taken by the network. */
  get waiting(): number {
    return this.ws.bufferedAmount;
  }

  /** True while more than `socketPauseBytes` wait. */
  get backedUp(): boolean {
    return this.ws.bufferedAmount > this.limits.socketPauseBytes;
  }

  /**
   * Queues a frame, or calls `overflow` when it would take a backlog past the
   * bound; sends nothing once closed. A frame to a socket that has caught up
   * always goes, however large. Bytes (UTF-8) go as they are: a string that
   * many sockets share is better encoded once than by each socket's write.
   */
  send(frame: string | Buffer): void {
    if (this.#closed || this.ws.readyState !== this.ws.OPEN) return;
    const waiting = this.ws.bufferedAmount;
    // A string's UTF-16 length stands in for bytes (at most 3x under) without encoding it twice.
    if (
      waiting > this.limits.socketPauseBytes &&
      waiting + frame.length > this.limits.socketBufferBytes
    ) {
      this.owner.overflow();
      return;
    }
    // `ws` keeps its TCP socket in a private field; corking it is all we do with it.
    const tcp = (this.ws as unknown as { _socket: Socket })._socket;
    const pause = this.limits.socketPauseBytes;
    if (tcp.writableCorked === 0 && waiting <= pause) {
      if (corked.length === 0) setImmediate(uncorkAll);
      tcp.cork();
      corked.push(tcp);
    }
    this.ws.send(frame, TEXT, this.#flushed);
    // No more than `socketPauseBytes` wait for the turn's end: the kernel takes what it can now.
    if (tcp.writableCorked > 0 && this.ws.bufferedAmount > pause) tcp.uncork();
  }

  /** Resolves once no more than `socketPauseBytes` wait, or at once when closed. */
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
