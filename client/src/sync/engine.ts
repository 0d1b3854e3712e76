import {
  ephemeralMutations,
  Limits,
  type AuthUp,
  type ChangesDown,
  type DownMessage,
  type MutationArgs,
  type MutationName,
  type NotesDown,
  type NotesUp,
  type PresenceStatus,
  type Removal,
  type WireError,
} from '@echora/shared';
import { applyChangesBatch, applyHistory, applyReset, applyRevoke, hasMoreKey } from './apply.ts';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import { Connection, defaultTiming, type SocketConstructor } from './connection.ts';
import {
  checkArgs,
  EPHEMERAL_SEQ,
  MAX_IN_FLIGHT,
  mutateFrame,
  CHANNEL_GONE,
  removedOutcome,
  type ConnectionState,
  type MutationOutcome,
  type SyncEngineOptions,
} from './engine-wire.ts';
import type { EnginePort } from '../lib/engine-port.ts';
import { Emitter } from './emitter.ts';
import { authFrame, loadClientId } from './handshake.ts';
import { forgetReplica } from './forget.ts';
import { HistoryRequests } from './history-requests.ts';
import { Inbox, type InboxBatch } from './inbox.ts';
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

export type { ConnectionState, MutationOutcome, SyncEngineOptions } from './engine-wire.ts';

/**
 * Keeps the replica in sync with the server: applies the feed, sends queued
 * mutations in order, and reconnects until stopped. The UI reads the replica;
 * this class is how it writes.
 */
export class SyncEngine implements EnginePort {
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
  readonly #inbox = new Inbox(
    (batch) => this.#applyBatch(batch),
    (error) => {
      console.error('sync: could not apply a frame; reconnecting', error);
      this.#connection.reconnectSoon();
    },
  );
  #pending = 0;
  readonly #waiting = new Map<number, (outcome: MutationOutcome) => void>();
  readonly #history = new HistoryRequests();
  readonly #connection: Connection;
  readonly #states = new Emitter<ConnectionState>();
  readonly #pendingCounts = new Emitter<number>();
  readonly #revokes = new Emitter<string>();
  readonly #errors = new Emitter<WireError>();
  readonly #removals = new Emitter<Removal>();
  /** Set once the server said the user was kicked or banned: nothing more is sent or queued. */
  #removal: Removal | undefined;
  readonly #notes = new Emitter<NotesDown>();
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
        frame: (frame, generation) =>
          frame.type === 'removed'
            ? this.#removed({ reason: frame.reason, community: frame.community })
            : this.#inbox.push(frame, generation),
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
    if (this.#removal) return Promise.resolve(removedOutcome(this.#removal));
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

  /**
   * Sends a failed message again, with the arguments of the refused send (its
   * reply target, its attachments), not only what the row shows.
   */
  async retry(messageId: string): Promise<MutationOutcome | undefined> {
    const row = await this.replica.messages.get(messageId);
    if (row?.status !== 'failed') return undefined;
    const args: MutationArgs<'message.send'> = row.sendArgs ?? {
      id: row.id,
      channelId: row.channelId,
      content: row.content,
      ...(row.replyToId ? { replyToId: row.replyToId } : {}),
    };
    return this.mutate('message.send', args);
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
    const before = oldest?.seq ?? null;
    const hasMore = await this.#history.ask((requestId) =>
      this.#connection.send({
        type: 'history',
        requestId,
        channelId,
        before,
        limit: Limits.historyPage,
      }),
    );
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

  /** Sends a notes frame now; false when offline (notes resync when they reopen). */
  sendNotes(frame: NotesUp): boolean {
    return this.#state === 'online' && this.#connection.send(frame);
  }

  onNotes(cb: (frame: NotesDown) => void): () => void {
    return this.#notes.on(cb);
  }

  onTyping(cb: (typing: ReadonlySet<TypingEntry>) => void): () => void {
    return this.#typing.changed.on(cb);
  }

  onRevoke(cb: (scope: string) => void): () => void {
    return this.#revokes.on(cb);
  }

  /**
   * The server said the user was kicked or banned (just before closing the
   * socket): the engine has stopped; the app tells them and calls `forget`.
   */
  onRemoved(cb: (removal: Removal) => void): () => void {
    return this.#removals.on(cb);
  }

  /**
   * Stops, and forgets everything the replica holds (a removed user's device
   * must not keep the community); answers how many unsent messages went.
   */
  async forget(): Promise<number> {
    this.stop();
    const discarded = await forgetReplica(this.replica);
    await this.#refreshPending();
    return discarded;
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
    this.#clientId ??= await loadClientId(this.replica);
    this.#userId ??= await kvRead<string>(this.replica, 'userId');
    return authFrame(this.replica, token, this.#clientId);
  }

  #onClosed(): void {
    this.#setState('offline');
    this.#presence.clear();
    this.#voice.clear();
    this.#history.abandonAll();
  }

  /**
   * Handled as the frame arrives, not in the inbox: the close that follows
   * must find the connection stopped, so it is not reported as a fatal error.
   */
  #removed(removal: Removal): void {
    if (this.#removal) return;
    this.#removal = removal;
    this.stop();
    for (const resolve of this.#waiting.values()) resolve(removedOutcome(removal));
    this.#waiting.clear();
    this.#removals.emit(removal);
  }

  async #applyBatch(batch: InboxBatch): Promise<void> {
    if (batch.generation !== this.#connection.generation) return;
    if ('frame' in batch) await this.#handle(batch.frame);
    else await this.#applyChanges(batch.changes);
  }

  async #applyChanges(frames: ChangesDown[]): Promise<void> {
    // Messages this replica did not hold yet: their authors stop showing as typing.
    const sent = frames.flatMap((f) =>
      f.changes.flatMap((c) => (c.op === 'upsert' && c.entity === 'message' ? [c.data] : [])),
    );
    const held = sent.length > 0 ? await this.replica.messages.bulkGet(sent.map((m) => m.id)) : [];
    const dropped: number[] = [];
    const { outcome } = await applyChangesBatch(this.replica, frames, this.#ctx(), dropped);
    this.#notSent(dropped);
    sent.forEach((m, i) => {
      if (held[i] === undefined) this.#typing.remove(m.channelId, m.authorId);
    });
    if (outcome === 'gap') this.#connection.reconnectNow();
  }

  async #handle(frame: Exclude<DownMessage, ChangesDown>): Promise<void> {
    switch (frame.type) {
      case 'ready':
        await this.#ready(frame.userId, frame.nextSeq);
        return;
      case 'reset':
      case 'revoke': {
        const dropped: number[] = [];
        if (frame.type === 'reset') await applyReset(this.replica, frame, this.#ctx(), dropped);
        else {
          await applyRevoke(this.replica, frame.scope, this.#ctx(), dropped);
          this.#revokes.emit(frame.scope);
        }
        this.#notSent(dropped);
        return;
      }
      case 'ack':
      case 'reject':
        await this.#answer(frame);
        return;
      case 'history': {
        await applyHistory(this.replica, frame);
        this.#history.answer(frame.requestId, frame.hasMore);
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
      case 'notes.opened':
      case 'notes.sync':
      case 'notes.awareness':
      case 'notes.refused':
      case 'notes.closed':
      case 'notes.versions':
        this.#notes.emit(frame);
        return;
      case 'synced':
      case 'pong':
      case 'removed':
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

  /**
   * Outbox entries dropped because their channel went (deleted, no longer
   * visible, a conversation left): whoever waits for one hears it was not
   * sent; one queued before this session has nobody waiting and goes silently.
   */
  #notSent(entryIds: readonly number[]): void {
    for (const id of entryIds) {
      const resolve = this.#waiting.get(id);
      this.#waiting.delete(id);
      resolve?.({ ok: false, error: CHANNEL_GONE });
    }
    if (entryIds.length > 0) this.#background(this.#refreshPending());
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
