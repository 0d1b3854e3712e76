import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  type AckDown,
  type Change,
  type Channel,
  type DownMessage,
  type Member,
  type Message,
  type MutationArgs,
  type MutationName,
  type RejectDown,
  type Role,
} from '@echora/shared';

/** A minimal replica: what a client holds after applying frames by the protocol's rules. */
export class Replica {
  readonly cursors = new Map<string, number>();
  readonly channels = new Map<string, Channel>();
  readonly messages = new Map<string, Message>();
  readonly members = new Set<string>();
  /** Member rows by id (`members` keeps only the ids). */
  readonly memberRows = new Map<string, Member>();
  readonly roles = new Map<string, Role>();
  /** Frames whose `from` did not match the cursor: a real client would reconnect. */
  readonly gaps: string[] = [];

  apply(frame: DownMessage): void {
    if (frame.type === 'reset') {
      this.purge(frame.scope);
      for (const c of frame.changes) this.applyChange(c);
      this.cursors.set(frame.scope, frame.version);
    } else if (frame.type === 'changes') {
      const cursor = this.cursors.get(frame.scope) ?? 0;
      if (cursor !== frame.from) {
        this.gaps.push(`${frame.scope}: cursor ${cursor}, frame from ${frame.from}`);
        return;
      }
      for (const c of frame.changes) this.applyChange(c);
      this.cursors.set(frame.scope, frame.to);
    } else if (frame.type === 'revoke') {
      this.purge(frame.scope);
      this.cursors.delete(frame.scope);
    }
  }

  /** Live messages of a channel in seq order. */
  channelMessages(channelId: string): Message[] {
    return [...this.messages.values()]
      .filter((m) => m.channelId === channelId)
      .sort((a, b) => a.seq - b.seq);
  }

  private applyChange(c: Change): void {
    if (c.op === 'delete') {
      if (c.entity === 'message') this.messages.delete(c.id);
      else if (c.entity === 'channel') this.channels.delete(c.id);
      else if (c.entity === 'role') this.roles.delete(c.id);
      else if (c.entity === 'member') {
        this.members.delete(c.id);
        this.memberRows.delete(c.id);
      }
    } else if (c.entity === 'message') this.messages.set(c.data.id, c.data);
    else if (c.entity === 'channel') this.channels.set(c.data.id, c.data);
    else if (c.entity === 'role') this.roles.set(c.data.id, c.data);
    else if (c.entity === 'member') {
      this.members.add(c.data.id);
      this.memberRows.set(c.data.id, c.data);
    }
  }

  private purge(scope: string): void {
    if (scope === 'community') {
      this.channels.clear();
      this.members.clear();
      this.memberRows.clear();
      this.roles.clear();
    } else if (scope.startsWith('channel:')) {
      const id = scope.slice('channel:'.length);
      for (const m of this.messages.values()) if (m.channelId === id) this.messages.delete(m.id);
    }
  }
}

export interface ConnectOptions {
  token: string;
  clientId?: string;
  cursors?: Record<string, number>;
  /** Send `auth` on open (default true). */
  auth?: boolean;
  /** Keep applying to this replica (a reconnect of the same device); its cursors are sent. */
  replica?: Replica;
}

/**
 * A real `ws` client of the sync socket that records every frame, applies
 * them to a {@link Replica}, and can wait for the frame it expects.
 */
export class SyncClient {
  readonly frames: DownMessage[] = [];
  readonly replica: Replica;
  readonly clientId: string;
  readonly closed: Promise<{ code: number; reason: string }>;
  private seq = 0;
  private waiters: { test: (f: DownMessage) => boolean; resolve: (f: DownMessage) => void }[] = [];

  private constructor(
    readonly ws: WebSocket,
    clientId: string,
    replica: Replica,
  ) {
    this.clientId = clientId;
    this.replica = replica;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as DownMessage;
      this.frames.push(frame);
      this.replica.apply(frame);
      if (frame.type === 'ready') this.seq = frame.nextSeq - 1;
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  /** Opens a socket to `baseUrl` (http://host:port) and authenticates unless told not to. */
  static async connect(baseUrl: string, options: ConnectOptions): Promise<SyncClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/sync`);
    const client = new SyncClient(
      ws,
      options.clientId ?? randomUUID(),
      options.replica ?? new Replica(),
    );
    const cursors = options.cursors ?? Object.fromEntries(client.replica.cursors);
    // The replica resumes from the cursors it presents (its rows are not kept between clients).
    for (const [scope, v] of Object.entries(options.cursors ?? {}))
      client.replica.cursors.set(scope, v);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (options.auth !== false) {
      client.send({
        type: 'auth',
        token: options.token,
        clientId: client.clientId,
        protocolVersion: PROTOCOL_VERSION,
        cursors,
      });
    }
    return client;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The first recorded frame matching `test`, or the next one to arrive. */
  waitFor<T extends DownMessage>(test: (f: DownMessage) => f is T, timeoutMs?: number): Promise<T>;
  waitFor(test: (f: DownMessage) => boolean, timeoutMs?: number): Promise<DownMessage>;
  waitFor(test: (f: DownMessage) => boolean, timeoutMs = 10_000): Promise<DownMessage> {
    const found = this.frames.find(test);
    if (found) return Promise.resolve(found);
    return this.next(test, timeoutMs);
  }

  /** The next frame to arrive matching `test` (ignores those already recorded). */
  next(test: (f: DownMessage) => boolean, timeoutMs = 10_000): Promise<DownMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      void this.closed.then(({ code, reason }) => {
        clearTimeout(timer);
        reject(new Error(`socket closed (${code} ${reason}) while waiting for a frame`));
      });
      this.waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Waits until `synced`. */
  async synced(): Promise<this> {
    await this.waitFor((f) => f.type === 'synced');
    return this;
  }

  /** Sends a mutation with the next seq (or the one given) and waits for its answer. */
  async mutate<N extends MutationName>(
    name: N,
    args: MutationArgs<N>,
    seq = ++this.seq,
  ): Promise<AckDown | RejectDown> {
    const answer = this.next(
      (f) => (f.type === 'ack' || f.type === 'reject') && f.seq === seq,
      150_000,
    );
    this.send({ type: 'mutate', seq, name, args });
    return (await answer) as AckDown | RejectDown;
  }

  /** Sends many mutations without waiting in between, then waits for every answer. */
  async mutateMany<N extends MutationName>(
    name: N,
    argsList: MutationArgs<N>[],
  ): Promise<(AckDown | RejectDown)[]> {
    return Promise.all(argsList.map((args) => this.mutate(name, args)));
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

/** Polls `check` until it holds. */
export async function until(
  check: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
