import {
  ephemeralMutations,
  Limits,
  mutationArgs,
  newId,
  PROTOCOL_VERSION,
  validator,
  type AuthUp,
  type DownMessage,
  type MutateUp,
  type MutationArgs,
  type MutationName,
  type PresenceStatus,
  type WireError,
} from '@echora/shared';
import {
  allCursors,
  applyChanges,
  applyHistory,
  applyReset,
  applyRevoke,
  hasMoreKey,
} from './apply.ts';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import { Connection, defaultTiming, type SocketConstructor, type Timing } from './connection.ts';
import { Emitter } from './emitter.ts';
import { PresenceBook, TypingBook, VoiceBook, type TypingEntry } from './ephemeral.ts';
import { localRule, type ApplyContext } from './optimistic.ts';
import {
  discardLocal,
  enqueue,
  pendingCount,
  settleAck,
  settleReject,
  nextToSend,
} from './outbox.ts';
import { kvRead, kvWrite, PENDING_SORT_BASE, type Replica } from './replica.ts';

export type ConnectionState = 'offline' | 'connecting' | 'online';
export type MutationOutcome = { ok: true } | { ok: false; error: WireError };

export interface SyncEngineOptions {
  replica: Replica;
  /** The ws(s) URL of `/api/sync`. */
  url: string;
  /** A fresh access token, or null when logged out. Called on every (re)connect. */
  getToken: () => Promise<string | null>;
  /** The WebSocket implementation (Node tests pass the `ws` package). */
  WebSocket?: SocketConstructor;
  /** The signed-in user, known before the first `ready` (authors offline sends). */
  userId?: string;
  timing?: Partial<Timing>;
}

/**
 * Ephemeral mutations stand outside the durable sequence; a seq no durable
 * entry will reach keeps their answers from being taken for a queued one's.
 */
const EPHEMERAL_SEQ = 2_147_483_647;
const HISTORY_TIMEOUT_MS = 15_000;
/**
 * Mutations on the wire without an answer. The server queues a socket's frames
 * and closes one that floods it, so a long outbox drains in a window.
 */
const MAX_IN_FLIGHT = 64;

/**
 * `MutateUp['name']` infers as `never` (a union built from an array of names),
 * so the frame is typed here once.
 */
const mutateFrame = (seq: number, name: MutationName, args: unknown) =>
  ({ type: 'mutate', seq, name, args }) as unknown as MutateUp;

const checkArgs = Object.fromEntries(
  Object.entries(mutationArgs).map(([name, schema]) => [name, validator(schema)]),
) as Record<MutationName, ReturnType<typeof validator>>;

/**
 * Keeps the replica in sync with the server: applies the feed, sends queued
 * mutations in order, and reconnects until stopped. The UI reads the replica;
 * this class is how it writes.
 */
export class SyncEngine {
  readonly replica: Replica;
  #state: ConnectionState = 'offline';
  #userId: string | undefined;
  #clientId: string | undefined;
  #nextSeq = 1;
  /** The last outbox entry sent on this socket (entries go out in id order). */
  #sentUpToId = 0;
  readonly #inFlight = new Set<number>();
  #idle = false;
  #flushing = false;
  #flushAgain = false;
  #inbox: Promise<void> = Promise.resolve();
  #pending = 0;
  readonly #waiting = new Map<number, (outcome: MutationOutcome) => void>();
  readonly #history = new Map<string, (hasMore: boolean | undefined) => void>();
  readonly #connection: Connection;
  readonly #states = new Emitter<ConnectionState>();
  readonly #pendingCounts = new Emitter<number>();
  readonly #revokes = new Emitter<string>();
  readonly #errors = new Emitter<WireError>();
  readonly #presence = new PresenceBook();
  readonly #typing = new TypingBook();
  readonly #voice = new VoiceBook();

  constructor(private readonly options: SyncEngineOptions) {
    this.replica = options.replica;
    this.#userId = options.userId;
    const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as SocketConstructor);
    this.#connection = new Connection(
      options.url,
      Socket,
      {
        auth: () => this.#auth(),
        frame: (frame, generation) => this.#enqueueFrame(frame, generation),
        closed: () => this.#onClosed(),
        fatal: (error) => this.#errors.emit(error),
        connecting: () => this.#setState('connecting'),
      },
      { ...defaultTiming, ...options.timing },
    );
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The signed-in user, once known (from the options or the first `ready`). */
  get userId(): string | undefined {
    return this.#userId;
  }

  start(): void {
    this.#connection.start();
    this.#background(this.#refreshPending());
  }

  stop(): void {
    this.#connection.stop();
    this.#onClosed();
    this.#typing.clear();
  }

  onState(cb: (state: ConnectionState) => void): () => void {
    return this.#states.on(cb);
  }

  /** Mutations written but not yet answered by the server. */
  pendingCount(): number {
    return this.#pending;
  }

  onPending(cb: (count: number) => void): () => void {
    return this.#pendingCounts.on(cb);
  }

  /**
   * Queues a mutation and applies it locally at once; resolves when the server
   * accepts or refuses it. Losing the network is not a refusal: it stays queued.
   */
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<MutationOutcome> {
    const checked = checkArgs[name](args);
    if (!checked.ok) return Promise.resolve({ ok: false, error: checked.error });
    const broken = localRule(name, args);
    if (broken) return Promise.resolve({ ok: false, error: { kind: 'invalid', message: broken } });
    if (ephemeralMutations.has(name)) {
      const sent =
        this.#state === 'online' && this.#connection.send(mutateFrame(EPHEMERAL_SEQ, name, args));
      return Promise.resolve(
        sent ? { ok: true } : { ok: false, error: { kind: 'unavailable', message: 'Offline.' } },
      );
    }
    const written = enqueue(this.replica, name, args, this.#ctx());
    return written.then(
      (entry) =>
        new Promise<MutationOutcome>((resolve) => {
          this.#waiting.set(entry.id ?? 0, resolve);
          this.#background(this.#refreshPending());
          this.#background(this.#flush());
        }),
      (error: unknown) => {
        console.error('sync: could not queue a mutation', error);
        return {
          ok: false,
          error: { kind: 'internal', message: 'Could not save the change on this device.' },
        };
      },
    );
  }

  /** Sends a failed message again. */
  async retry(messageId: string): Promise<void> {
    const row = await this.replica.messages.get(messageId);
    if (row?.status !== 'failed') return;
    void this.mutate('message.send', {
      id: row.id,
      channelId: row.channelId,
      content: row.content,
    });
  }

  /** Removes a failed or pending message (one already on the wire is deleted on the server). */
  async discard(messageId: string): Promise<void> {
    const outcome = await discardLocal(this.replica, messageId, this.#ctx());
    if (outcome === 'sent') void this.mutate('message.delete', { id: messageId });
    await this.#refreshPending();
  }

  /**
   * Loads the page of messages before the oldest one held. Offline, it
   * answers at once with what is known; call again once online.
   */
  async loadOlder(channelId: string): Promise<{ hasMore: boolean }> {
    const known = (await kvRead<boolean>(this.replica, hasMoreKey(channelId))) ?? true;
    if (this.#state !== 'online') return { hasMore: known };
    const oldest = await this.replica.messages
      .where('[channelId+sortKey]')
      .between([channelId, 1], [channelId, PENDING_SORT_BASE])
      .first();
    const requestId = newId();
    const answered = new Promise<boolean | undefined>((resolve) => {
      this.#history.set(requestId, resolve);
      setTimeout(() => resolve(undefined), HISTORY_TIMEOUT_MS);
    });
    const before = oldest?.seq ?? null;
    if (
      !this.#connection.send({
        type: 'history',
        requestId,
        channelId,
        before,
        limit: Limits.historyPage,
      })
    ) {
      this.#history.delete(requestId);
      return { hasMore: known };
    }
    const hasMore = await answered;
    this.#history.delete(requestId);
    return { hasMore: hasMore ?? known };
  }

  presence(): Map<string, PresenceStatus> {
    return this.#presence.snapshot();
  }

  onPresence(cb: (presence: Map<string, PresenceStatus>) => void): () => void {
    return this.#presence.changed.on(cb);
  }

  /** Who sits in each non-empty voice channel the user may see (from the socket). */
  voiceRoster(): Map<string, VoiceParticipant[]> {
    return this.#voice.snapshot();
  }

  onVoice(cb: (channels: Map<string, VoiceParticipant[]>) => void): () => void {
    return this.#voice.changed.on(cb);
  }

  onTyping(cb: (typing: ReadonlySet<TypingEntry>) => void): () => void {
    return this.#typing.changed.on(cb);
  }

  onRevoke(cb: (scope: string) => void): () => void {
    return this.#revokes.on(cb);
  }

  /**
   * Errors no promise reports: refused frames, fatal closes (reload needed,
   * session forbidden), refusals of mutations queued by an earlier session.
   */
  onError(cb: (error: WireError) => void): () => void {
    return this.#errors.on(cb);
  }

  setIdle(idle: boolean): void {
    this.#idle = idle;
    if (this.#state === 'online')
      this.#connection.send({ type: 'presence', status: idle ? 'idle' : 'online' });
  }

  /** Work nobody awaits: a failure (the replica closed under it) is logged, never unhandled. */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => console.warn('sync: background step failed', error));
  }

  #ctx(): ApplyContext {
    return { userId: this.#userId ?? '' };
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#states.emit(state);
  }

  async #auth(): Promise<AuthUp | null> {
    const token = await this.options.getToken();
    if (token === null) return null;
    this.#clientId ??= await this.#loadClientId();
    this.#userId ??= await kvRead<string>(this.replica, 'userId');
    return {
      type: 'auth',
      token,
      clientId: this.#clientId,
      protocolVersion: PROTOCOL_VERSION,
      cursors: await allCursors(this.replica),
    };
  }

  async #loadClientId(): Promise<string> {
    return this.replica.transaction('rw', this.replica.kv, async () => {
      const held = await kvRead<string>(this.replica, 'clientId');
      if (held) return held;
      const made = newId();
      await kvWrite(this.replica, 'clientId', made);
      return made;
    });
  }

  #onClosed(): void {
    this.#setState('offline');
    this.#presence.clear();
    this.#voice.clear();
    for (const resolve of this.#history.values()) resolve(undefined);
    this.#history.clear();
  }

  /** Frames are applied one at a time, in arrival order; a newer socket's frames wait their turn. */
  #enqueueFrame(frame: DownMessage, generation: number): void {
    this.#inbox = this.#inbox
      .then(() => (generation === this.#connection.generation ? this.#handle(frame) : undefined))
      .catch((error: unknown) => {
        console.error('sync: could not apply a frame; reconnecting', error);
        this.#connection.reconnectSoon();
      });
  }

  async #handle(frame: DownMessage): Promise<void> {
    switch (frame.type) {
      case 'ready':
        await this.#ready(frame.userId, frame.nextSeq);
        return;
      case 'changes':
        if ((await applyChanges(this.replica, frame, this.#ctx())) === 'gap')
          this.#connection.reconnectNow();
        return;
      case 'reset':
        await applyReset(this.replica, frame, this.#ctx());
        return;
      case 'revoke':
        await applyRevoke(this.replica, frame.scope);
        this.#revokes.emit(frame.scope);
        return;
      case 'ack':
      case 'reject':
        await this.#answer(frame);
        return;
      case 'history': {
        await applyHistory(this.replica, frame);
        this.#history.get(frame.requestId)?.(frame.hasMore);
        return;
      }
      case 'presence':
        this.#presence.set(frame.userId, frame.status);
        return;
      case 'presence.snapshot':
        this.#presence.replace(frame.users);
        return;
      case 'typing':
        this.#typing.add(frame.channelId, frame.userId, frame.expiresInMs);
        return;
      case 'error':
        this.#errors.emit(frame.error);
        return;
      case 'voice.state':
        this.#voice.set(frame.channelId, frame.participants);
        return;
      case 'voice.snapshot':
        this.#voice.replace(frame.channels);
        return;
      case 'synced':
      case 'pong':
        return;
    }
  }

  async #ready(userId: string, nextSeq: number): Promise<void> {
    this.#connection.authenticated();
    if (this.#userId !== userId) {
      this.#userId = userId;
      await kvWrite(this.replica, 'userId', userId);
    }
    this.#nextSeq = nextSeq;
    this.#sentUpToId = 0;
    this.#inFlight.clear();
    this.#setState('online');
    if (this.#idle) this.#connection.send({ type: 'presence', status: 'idle' });
    await this.#flush();
  }

  async #answer(frame: Extract<DownMessage, { type: 'ack' | 'reject' }>): Promise<void> {
    if (frame.seq === EPHEMERAL_SEQ) return;
    if (this.#inFlight.delete(frame.seq)) this.#background(this.#flush());
    const entry =
      frame.type === 'ack'
        ? await settleAck(this.replica, frame, this.#ctx())
        : await settleReject(this.replica, frame, this.#ctx());
    if (!entry) return;
    const resolve = this.#waiting.get(entry.id ?? 0);
    this.#waiting.delete(entry.id ?? 0);
    if (frame.type === 'ack') resolve?.({ ok: true });
    else if (resolve) resolve({ ok: false, error: frame.error });
    else this.#errors.emit(frame.error);
    await this.#refreshPending();
  }

  /** Sends every queued entry not yet sent on this socket, in order. */
  async #flush(): Promise<void> {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        if (this.#state !== 'online') return;
        const generation = this.#connection.generation;
        const batch = await nextToSend(this.replica, {
          afterId: this.#sentUpToId,
          limit: MAX_IN_FLIGHT - this.#inFlight.size,
          floor: this.#nextSeq,
        });
        for (const entry of batch) {
          if (generation !== this.#connection.generation) {
            // A new socket came up meanwhile: start over on it.
            this.#flushAgain = true;
            break;
          }
          if (!this.#connection.send(mutateFrame(entry.seq, entry.name, entry.args))) return;
          this.#sentUpToId = entry.id ?? 0;
          this.#inFlight.add(entry.seq);
        }
      } while (this.#flushAgain);
    } finally {
      this.#flushing = false;
    }
  }

  async #refreshPending(): Promise<void> {
    const count = await pendingCount(this.replica);
    if (count === this.#pending) return;
    this.#pending = count;
    this.#pendingCounts.emit(count);
  }
}
