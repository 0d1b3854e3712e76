import {
  CloseCode,
  downMessage,
  validator,
  type AuthUp,
  type DownMessage,
  type UpMessage,
  type WireError,
} from '@echora/shared';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.ts';

/** The part of the WebSocket API the engine uses (the browser's, or the `ws` package's). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketConstructor = new (url: string) => SocketLike;

const OPEN = 1;
/** A connection that lasted this long counts as healthy: the next failure backs off from the start. */
const STABLE_MS = 10_000;

export interface Timing {
  /** Ping this often while connected; a dead network is noticed after this plus `deadMs`. */
  heartbeatMs: number;
  deadMs: number;
  /** Give up on a socket that does not open (and authenticate) within this. */
  connectTimeoutMs: number;
  backoff: BackoffOptions;
}

export const defaultTiming: Timing = {
  heartbeatMs: 25_000,
  deadMs: 10_000,
  connectTimeoutMs: 15_000,
  backoff: defaultBackoff,
};

export interface ConnectionHandlers {
  /** The auth frame for a new socket; null when logged out (the connection stops). */
  auth(): Promise<AuthUp | null>;
  /** A valid frame from the current socket (`generation` tells sockets apart). */
  frame(frame: DownMessage, generation: number): void;
  /** The socket is gone; the connection retries unless stopped. */
  closed(generation: number): void;
  /** The connection stopped for good (app too old, forbidden); the error says why. */
  fatal(error: WireError): void;
  connecting(): void;
}

const checkDown = validator(downMessage);

/**
 * One sync socket at a time: authenticates, validates inbound frames, keeps a
 * heartbeat, and reconnects with backoff until stopped.
 */
export class Connection {
  #socket: SocketLike | undefined;
  #generation = 0;
  #running = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  #forceRefresh = false;
  /** When the current socket finished its handshake (0: not yet). */
  #readyAt = 0;
  readonly #onOnline = () => {
    if (this.#readyAt === 0) this.reconnectNow();
  };

  constructor(
    private readonly url: string,
    private readonly Socket: SocketConstructor,
    private readonly handlers: ConnectionHandlers,
    private readonly timing: Timing,
  ) {}

  get generation(): number {
    return this.#generation;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    globalThis.addEventListener?.('online', this.#onOnline);
    void this.#open();
  }

  stop(): void {
    this.#running = false;
    globalThis.removeEventListener?.('online', this.#onOnline);
    clearTimeout(this.#retryTimer);
    this.#drop(CloseCode.normal);
  }

  /** The handshake succeeded (`ready`). */
  authenticated(): void {
    this.#readyAt = Date.now();
    this.#forceRefresh = false;
    clearTimeout(this.#connectTimer);
  }

  /** Sends a frame on the open socket; false when there is none. */
  send(frame: UpMessage): boolean {
    if (this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  /** Drops the socket and connects again at once (the network came back). */
  reconnectNow(): void {
    if (!this.#running) return;
    clearTimeout(this.#retryTimer);
    if (this.#socket) this.#drop(CloseCode.normal);
    void this.#open();
  }

  /**
   * Drops the socket and connects again after the backoff (a gap in the feed,
   * a frame that could not be applied), so a fault that repeats cannot spin.
   */
  reconnectSoon(): void {
    if (!this.#running) return;
    const generation = this.#generation;
    this.#drop(CloseCode.normal);
    this.handlers.closed(generation);
    this.#scheduleRetry();
  }

  async #open(): Promise<void> {
    if (!this.#running || this.#socket) return;
    const generation = ++this.#generation;
    this.handlers.connecting();
    let auth: AuthUp | null;
    try {
      auth = await this.handlers.auth();
    } catch (error) {
      console.warn('sync: no token for now', error);
      this.#scheduleRetry();
      return;
    }
    if (!this.#running || generation !== this.#generation) return;
    if (!auth) {
      this.stop();
      this.handlers.closed(generation);
      return;
    }
    let socket: SocketLike;
    try {
      socket = new this.Socket(this.url);
    } catch (error) {
      console.warn('sync: cannot open socket', error);
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    this.#lastFrameAt = Date.now();
    this.#connectTimer = setTimeout(() => this.#lost(socket), this.timing.connectTimeoutMs);
    socket.onopen = () => socket.send(JSON.stringify(auth));
    socket.onmessage = (event) => this.#receive(socket, generation, event.data);
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#closed(event.code);
    };
    this.#heartbeat = setInterval(() => this.#beat(socket), this.timing.heartbeatMs);
  }

  #receive(socket: SocketLike, generation: number, data: unknown): void {
    if (this.#socket !== socket) return;
    this.#lastFrameAt = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      console.warn('sync: dropped a frame that is not JSON');
      return;
    }
    const checked = checkDown(parsed);
    if (!checked.ok) {
      console.warn('sync: dropped an invalid frame', checked.error.message);
      return;
    }
    this.handlers.frame(checked.value, generation);
  }

  #beat(socket: SocketLike): void {
    if (Date.now() - this.#lastFrameAt > this.timing.heartbeatMs + this.timing.deadMs) {
      this.#lost(socket);
      return;
    }
    if (socket.readyState === OPEN) socket.send(JSON.stringify({ type: 'ping' }));
  }

  /** The socket went quiet or never opened: treat it as closed now, without waiting on it. */
  #lost(socket: SocketLike): void {
    if (this.#socket !== socket) return;
    this.#drop(CloseCode.normal);
    this.#closed(1006);
  }

  #drop(code: number): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (this.#readyAt !== 0 && Date.now() - this.#readyAt >= STABLE_MS) this.#attempt = 0;
    this.#readyAt = 0;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#connectTimer);
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(code);
    } catch {
      // Closing a socket that never opened throws in some runtimes; it is gone either way.
    }
  }

  #closed(code: number): void {
    const generation = this.#generation;
    this.#drop(CloseCode.normal);
    this.handlers.closed(generation);
    if (code === CloseCode.clientTooOld) {
      this.stop();
      this.handlers.fatal({
        kind: 'protocol',
        message: 'This app is out of date. Reload to update it.',
      });
      return;
    }
    if (code === CloseCode.forbidden) {
      this.stop();
      this.handlers.fatal({ kind: 'forbidden', message: 'This session may no longer connect.' });
      return;
    }
    if (code === CloseCode.unauthorized && !this.#forceRefresh) {
      // One immediate retry with a fresh token; a second refusal backs off like any failure.
      this.#forceRefresh = true;
      void this.#open();
      return;
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (!this.#running) return;
    const delay = backoffDelay(this.#attempt++, this.timing.backoff);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#open(), delay);
  }
}
