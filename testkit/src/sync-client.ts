import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  type AckDown,
  type DownMessage,
  type HistoryDown,
  type Message,
  type MutationArgs,
  type MutationName,
  type RejectDown,
} from '@echora/shared';

/** Under the server's flood limit (1,000 frames per 10 s per socket), with room to spare. */
const frameBudget = 900;
const frameWindowMs = 10_000;

export interface ProtocolClientOptions {
  /** Sent in `auth` (default a fresh UUID). */
  clientId?: string;
  /** How long `waitFor` and `next` wait by default (10 s). */
  timeoutMs?: number;
  /** How long `mutate` waits for its answer (150 s: a loaded machine, a big batch). */
  mutationTimeoutMs?: number;
  /** `ws`'s option; benchmarks turn compression off as the server does for their baseline. */
  perMessageDeflate?: boolean;
  /**
   * After `synced`, frames go here as text, unparsed and unrecorded: a
   * benchmark that holds thousands of sockets must not spend its time or
   * memory on them.
   */
  afterSynced?: (raw: string) => void;
}

export interface AuthOptions {
  token: string;
  /** Version cursors per scope (default none: a fresh device). */
  cursors?: Record<string, number>;
}

type Answer = AckDown | RejectDown;
type Waiter = { test: (frame: DownMessage) => boolean; resolve: (frame: DownMessage) => void };

/**
 * A raw client of the sync socket for tests and benchmarks: it speaks the
 * protocol of `@echora/shared` (its `PROTOCOL_VERSION`, so it never falls
 * behind), records every frame, and waits for the one a test expects. It can
 * also send frames a real client never would.
 */
export class ProtocolClient {
  /** Every frame received, in order (until `synced` with `afterSynced`). */
  readonly frames: DownMessage[] = [];
  readonly ws: WebSocket;
  readonly clientId: string;
  /** Resolves when the socket is open; rejects if it failed to open. */
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The seq the next mutation takes (the server says where to start in `ready`). */
  nextSeq = 1;
  private readonly afterSynced: ((raw: string) => void) | undefined;
  private onRaw: ((raw: string) => void) | undefined;
  private readonly timeoutMs: number;
  private readonly mutationTimeoutMs: number;
  private readonly sentAt: number[] = [];
  private nextRequest = 1;
  private waiters: Waiter[] = [];

  /** Opens a socket to `url`: `ws(s)://…` as is, or a server's `http(s)://` origin + `/api/sync`. */
  constructor(url: string, options: ProtocolClientOptions = {}) {
    this.ws = new WebSocket(
      syncSocketUrl(url),
      options.perMessageDeflate === undefined
        ? {}
        : { perMessageDeflate: options.perMessageDeflate },
    );
    this.clientId = options.clientId ?? randomUUID();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.mutationTimeoutMs = options.mutationTimeoutMs ?? 150_000;
    this.afterSynced = options.afterSynced;
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    // A failed open is reported to whoever awaits `opened`, never as an unhandled rejection.
    this.opened.catch(() => undefined);
    // Errors after opening end in `closed`; without a listener `ws` would throw them.
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    this.ws.on('message', (data: Buffer) => {
      const raw = data.toString('utf8');
      if (this.onRaw) return this.onRaw(raw);
      this.receive(JSON.parse(raw) as DownMessage);
    });
  }

  /** Sends `auth` (after the socket opened) with this client's id and the shared protocol version. */
  async auth({ token, cursors = {} }: AuthOptions): Promise<void> {
    await this.opened;
    this.send({
      type: 'auth',
      token,
      clientId: this.clientId,
      protocolVersion: PROTOCOL_VERSION,
      cursors,
    });
  }

  /** Waits until `synced` (the end of the catch-up). */
  async synced(): Promise<this> {
    await this.waitFor((f) => f.type === 'synced');
    return this;
  }

  /** Sends any frame, valid or not (a string goes as it is). */
  send(frame: unknown): void {
    this.sentAt.push(Date.now());
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first recorded frame matching `test`, or the next one to arrive. */
  waitFor<T extends DownMessage>(test: (f: DownMessage) => f is T, timeoutMs?: number): Promise<T>;
  waitFor(test: (f: DownMessage) => boolean, timeoutMs?: number): Promise<DownMessage>;
  waitFor(test: (f: DownMessage) => boolean, timeoutMs = this.timeoutMs): Promise<DownMessage> {
    const found = this.frames.find(test);
    if (found) return Promise.resolve(found);
    return this.next(test, timeoutMs);
  }

  /** The next frame to arrive matching `test` (ignores those already recorded). */
  next(test: (f: DownMessage) => boolean, timeoutMs = this.timeoutMs): Promise<DownMessage> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const last = JSON.stringify(this.frames.slice(-3));
        reject(new Error(`no matching frame within ${timeoutMs} ms; last: ${last}`));
      }, timeoutMs);
      void this.closed.then(({ code, reason }) => {
        clearTimeout(timer);
        reject(new Error(`socket closed (${code} ${reason}) while waiting for a frame`));
      });
      this.waiters.push(waiter);
    });
  }

  /** Sends a mutation with the next seq (or the one given) and resolves with its `ack` or `reject`. */
  async mutate<N extends MutationName>(
    name: N,
    args: MutationArgs<N>,
    seq = this.nextSeq++,
  ): Promise<Answer> {
    const answer = this.next(
      (f) => (f.type === 'ack' || f.type === 'reject') && f.seq === seq,
      this.mutationTimeoutMs,
    );
    this.send({ type: 'mutate', seq, name, args });
    return (await answer) as Answer;
  }

  /**
   * Sends mutations in order, keeping at most `window` unanswered and under
   * the flood limit, and resolves with every answer in order: fast seeding
   * without being disconnected.
   */
  async mutateInOrder(
    list: { name: MutationName; args: unknown }[],
    window = 25,
  ): Promise<Answer[]> {
    const answers: Promise<Answer>[] = [];
    for (const [i, { name, args }] of list.entries()) {
      if (i >= window) await answers[i - window];
      await this.pace();
      answers.push(this.mutate(name, args as never));
    }
    return Promise.all(answers);
  }

  /** One page of a channel's history, newest first (`before: null` = the newest). */
  async history(channelId: string, before: number | null, limit = 100): Promise<HistoryDown> {
    const requestId = `h${this.nextRequest++}`;
    const answer = this.next((f) => f.type === 'history' && f.requestId === requestId);
    this.send({ type: 'history', requestId, channelId, before, limit });
    return (await answer) as HistoryDown;
  }

  /** Every message of a channel, oldest first, read page by page from the server. */
  async allMessages(channelId: string): Promise<Message[]> {
    const out: Message[] = [];
    let before: number | null = null;
    for (;;) {
      const page = await this.history(channelId, before);
      out.push(...page.messages);
      const oldest = page.messages.at(-1);
      if (!page.hasMore || oldest === undefined) break;
      before = oldest.seq;
    }
    return out.reverse();
  }

  /** Closes the socket (1000 unless told) and resolves with the close code. */
  close(code?: number): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(code);
    return this.closed;
  }

  /** Called for each frame before waiters see it: subclasses keep their own state here. */
  protected onFrame(_frame: DownMessage): void {}

  private receive(frame: DownMessage): void {
    this.frames.push(frame);
    if (frame.type === 'ready') this.nextSeq = frame.nextSeq;
    // Synchronously, so not even a frame of the same TCP chunk is parsed after `synced`.
    if (frame.type === 'synced') this.onRaw = this.afterSynced;
    this.onFrame(frame);
    const matched = this.waiters.filter((w) => w.test(frame));
    if (matched.length === 0) return;
    this.waiters = this.waiters.filter((w) => !matched.includes(w));
    for (const waiter of matched) waiter.resolve(frame);
  }

  /** Waits while this socket has sent `frameBudget` frames in the last `frameWindowMs`. */
  private async pace(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while ((this.sentAt[0] ?? now) <= now - frameWindowMs) this.sentAt.shift();
      if (this.sentAt.length < frameBudget) return;
      await new Promise((resolve) =>
        setTimeout(resolve, (this.sentAt[0] ?? now) + frameWindowMs - now + 5),
      );
    }
  }
}

/**
 * Opens a client on `url`, authenticates with `token` (no cursors unless
 * given) and resolves after the catch-up (`synced`).
 */
export async function connectSynced(
  url: string,
  auth: AuthOptions,
  options: ProtocolClientOptions = {},
): Promise<ProtocolClient> {
  const client = new ProtocolClient(url, options);
  await client.auth(auth);
  return client.synced();
}

/**
 * `ws(s)://…` as it is; an `http(s)://` origin becomes its `/api/sync` socket
 * (`http+unix://<path>:` too, for a server on a Unix socket).
 */
export function syncSocketUrl(url: string): string {
  if (/^wss?(\+unix)?:/.test(url)) return url;
  return `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/api/sync`;
}
