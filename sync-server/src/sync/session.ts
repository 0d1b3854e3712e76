import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import {
  authUp,
  CloseCode,
  COMMUNITY_SCOPE,
  Limits,
  PROTOCOL_VERSION,
  upSchemas,
  userScope,
  validator,
  type DownMessage,
  type HistoryUp,
  type MutateUp,
  type PresenceUp,
  type WireError,
} from '@echora/shared';
import type { ChangesEvent } from '../bus/types.ts';
import { messagePage } from '../domain/messages/queries.ts';
import { removalOf } from '../domain/moderation/removal.ts';
import { dispatch, type MutationAnswer } from './dispatch.ts';
import { connectReads } from './connect-reads.ts';
import { InFlightAnswers } from './answers.ts';
import type { SyncDeps } from './deps.ts';
import type { HubSession } from './hub.ts';
import { actionCost, RATE_LIMITED_MESSAGE } from './action-cost.ts';
import { Outbound } from './outbound.ts';
import { TokenBucket } from '../limits/token-bucket.ts';
import { ScopeStreams } from './streams.ts';
import { SessionNotes } from './notes/session-notes.ts';
import { SerialQueue } from './serial-queue.ts';

const checkAuth = validator(authUp);
const checkUp = Object.fromEntries(
  Object.entries(upSchemas).map(([type, schema]) => [type, validator(schema)]),
) as { [K in keyof typeof upSchemas]: ReturnType<typeof validator<(typeof upSchemas)[K]>> };

/** Bytes of frames waiting to be handled before the client counts as flooding. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Mutations of one socket submitted and not yet answered, at most (the client keeps up to 64). */
const MUTATIONS_IN_FLIGHT = 64;

const isMutate = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && 'type' in value && value.type === 'mutate';

/** The session a socket belongs to, for the listeners every socket shares. */
const kSession = Symbol('session');
type SessionSocket = WebSocket & { [kSession]?: Session };

// One function per event for every socket; each finds its session on the socket.
function onSocketMessage(this: SessionSocket, data: RawData): void {
  this[kSession]?.onMessage(data);
}

function onSocketPong(this: SessionSocket): void {
  this[kSession]?.onPong();
}

function onSocketClose(this: SessionSocket): void {
  this[kSession]?.onClose();
}

/** Why the session stopped reading its socket (it reads again once both are gone). */
type PauseReason = 'inbound' | 'outbound';
const PAUSE: Record<PauseReason, number> = { inbound: 1, outbound: 2 };

/**
 * One sync socket: the `auth` handshake, then mutations, history, presence and
 * pings in arrival order, while {@link ScopeStreams} keeps the client's
 * scopes current. Every handler is guarded: a bad frame gets an `error` frame
 * or a close code, never an exception out of here.
 *
 * Memory per socket is bounded both ways. Out: at most `socketBufferBytes`
 * wait for the client ({@link Outbound}; past that, `slowConsumer`), and while
 * more than `socketPauseBytes` wait, the next frame is not handled and the
 * socket is not read, so a client that asks without reading stalls itself.
 * In: at most `framesInFlight` frames queue before reading stops, and a
 * flood of frames or bytes closes with `rateLimited`. A protocol ping every
 * `pingMs` finds sockets that stopped reading or died: one that has not
 * answered by the next ping is closed with `slowConsumer`.
 */
export class Session implements HubSession {
  // `randomUUID` returns a tree of 14 concatenated strings (~450 bytes); one flat copy is ~60.
  readonly id = Buffer.from(randomUUID(), 'latin1').toString('latin1');
  userId = '';
  private clientId = '';
  private state: 'auth' | 'live' | 'closed' = 'auth';
  private readonly inbound = new SerialQueue();
  private readonly frameBucket: TokenBucket;
  /** Until the auth frame arrives (dropped then: a cleared timer still holds its closure). */
  private authTimer: NodeJS.Timeout | undefined;
  private streams: ScopeStreams | undefined;
  private readonly outbound: Outbound;
  private queuedBytes = 0;
  private queuedFrames = 0;
  /** Why reading is paused: a bit per {@link PauseReason} (no set per socket). */
  private paused = 0;
  private awaitingPong = false;
  private joined = false;
  /** Made at the first mutation. */
  private answers: InFlightAnswers<MutationAnswer> | undefined;
  /** Made at the first notes frame (most sockets never open a document). */
  private notes: SessionNotes | undefined;

  /** `gone` is called once, when the socket has closed. */
  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SyncDeps,
    private readonly gone: (session: Session) => void = () => undefined,
  ) {
    this.frameBucket = new TokenBucket(
      deps.options.frameRate.capacity,
      deps.options.frameRate.windowMs,
    );
    this.authTimer = setTimeout(
      () => this.close(CloseCode.authTimeout, 'no auth in time'),
      deps.options.authTimeoutMs,
    );
    // The options object is every socket's limits; the session itself hears of an overflow.
    this.outbound = new Outbound(ws, deps.options, this);
    (ws as SessionSocket)[kSession] = this;
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', onSocketClose);
  }

  /** Sends a frame now, if the socket is still open. */
  send(frame: DownMessage): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Sends an already-serialized frame within the socket's byte bound. */
  sendRaw(frame: string | Buffer): void {
    this.outbound.send(frame);
  }

  /** Resolves when the client has read enough that more may be sent (at once when closed). */
  writable(): Promise<void> {
    return this.outbound.drained();
  }

  deliver(event: ChangesEvent, frame: Buffer): void {
    this.streams?.deliver(event, frame);
  }

  resync(): void {
    this.streams?.resync();
  }

  refreshAccess(): void {
    this.streams?.refreshAccess();
    // Lost sight of a channel: its notes stop at once (`notes.closed`).
    this.refreshPermissions();
  }

  refreshPermissions(): void {
    // Lost (or got) the right to edit open notes: `notes.opened` says so.
    if (!this.notes?.hasOpen) return;
    this.notes.refreshAccess().catch((err: unknown) => {
      this.deps.log.error({ err }, 'notes access refresh failed');
    });
  }

  /**
   * The user is no longer a member: tells the app why (kicked or banned, so
   * it forgets what it held), then closes with `forbidden`.
   */
  async removed(userId: string): Promise<void> {
    try {
      const removal = await removalOf(this.deps.db, userId);
      if (removal && this.state !== 'closed') this.send({ type: 'removed', ...removal });
    } catch (err) {
      this.deps.log.warn({ err }, 'could not tell a removed user why');
    }
    this.close(CloseCode.forbidden, 'not a member');
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.leave();
    // Close reasons are capped at 123 bytes by the protocol.
    this.ws.close(code, Buffer.from(reason).subarray(0, 120).toString());
    // Read again, or the client's answering close frame would wait behind a pause.
    this.ws.resume();
  }

  /**
   * Called every `pingMs` by the engine: a socket that did not answer the last
   * ping is closed with `slowConsumer`, the others are pinged again. Browsers
   * answer protocol pings by themselves. A dead peer never reads the close
   * frame; `ws` drops it 30 s later, and it leaves hub and presence at once.
   */
  heartbeat(): void {
    if (this.state === 'closed') return;
    // Not reading the socket because its frames are still being handled is the
    // server's delay, not the client's: its pong waits unread. Judged once read again.
    if (this.paused & PAUSE.inbound && !this.outbound.backedUp) return;
    if (this.awaitingPong) {
      this.slowConsumer('no pong');
      return;
    }
    this.awaitingPong = true;
    this.ws.ping();
  }

  /** The outbound buffer would pass its bound (see {@link Outbound}). */
  overflow(): void {
    this.slowConsumer('buffer full');
  }

  private slowConsumer(why: 'no pong' | 'buffer full'): void {
    if (this.state === 'closed') return;
    const waitingBytes = this.outbound.waiting;
    // Silent with nothing waiting is most often a peer gone away (a closed laptop): no warning.
    const quiet = why === 'no pong' && waitingBytes === 0;
    this.deps.log[quiet ? 'debug' : 'warn'](
      { userId: this.userId, waitingBytes, why },
      'sync socket closed: slow consumer',
    );
    this.close(CloseCode.slowConsumer, why === 'no pong' ? 'no pong in time' : 'not reading');
  }

  private pauseReading(reason: PauseReason): void {
    // Once closing, the client's close frame must be read: never pause again.
    if (this.state === 'closed') return;
    if (this.paused === 0) this.ws.pause();
    this.paused |= PAUSE[reason];
  }

  private resumeReading(reason: PauseReason): void {
    const was = this.paused;
    this.paused &= ~PAUSE[reason];
    if (was === this.paused || this.paused !== 0 || this.state === 'closed') return;
    // A pong that came while we were busy is still unread: that ping does not count.
    if (reason === 'inbound') this.awaitingPong = false;
    this.ws.resume();
  }

  /** A frame from the socket (see {@link onSocketMessage}). */
  onMessage(data: RawData): void {
    if (this.state === 'closed') return;
    const text = toText(data);
    if (this.frameBucket.take() > 0 || this.queuedBytes + text.length > MAX_QUEUED_BYTES) {
      this.close(CloseCode.rateLimited, 'too many frames');
      return;
    }
    // The deadline is for sending auth, not for us to check it (slow under load).
    if (this.state === 'auth') this.stopAuthTimer();
    this.queuedBytes += text.length;
    this.queuedFrames += 1;
    if (this.queuedFrames >= this.deps.options.framesInFlight) this.pauseReading('inbound');
    this.inbound.run(async () => {
      if (this.state !== 'closed' && this.outbound.backedUp) {
        // Answers would only pile up: wait for the client to read, and read nothing meanwhile.
        this.pauseReading('outbound');
        await this.outbound.drained();
        this.resumeReading('outbound');
      }
      this.queuedBytes -= text.length;
      this.queuedFrames -= 1;
      if (this.queuedFrames <= this.deps.options.framesInFlight / 2) this.resumeReading('inbound');
      if (this.state === 'closed') return;
      try {
        if (this.state === 'auth') await this.onAuth(text);
        else await this.onFrame(text);
      } catch (err) {
        // A bug or a database outage: log it, and let the client reconnect and retry.
        this.deps.log.error({ err }, 'sync frame failed');
        this.close(1011, 'internal error');
      }
    });
  }

  /** The client answered a ping. */
  onPong(): void {
    this.awaitingPong = false;
  }

  /** The socket closed (see {@link onSocketClose}). */
  onClose(): void {
    this.state = 'closed';
    this.leave();
    this.gone(this);
  }

  private stopAuthTimer(): void {
    clearTimeout(this.authTimer);
    this.authTimer = undefined;
  }

  /**
   * Stops everything this session does for its user, once: on close, and as
   * soon as the server decides to close (the socket may linger until the
   * client answers, but nothing more is sent or counted for it).
   */
  private leave(): void {
    this.stopAuthTimer();
    this.outbound.close();
    if (!this.joined) return;
    this.joined = false;
    this.deps.hub.remove(this);
    this.streams?.stop();
    this.notes?.stop();
    this.deps.presence.remove(this.id, this.userId);
  }

  private async onAuth(text: string): Promise<void> {
    const parsed = parse(text);
    const value = parsed.ok ? parsed.value : undefined;
    if (
      typeof value !== 'object' ||
      value === null ||
      !('type' in value) ||
      value.type !== 'auth'
    ) {
      return this.close(CloseCode.badHandshake, 'the first frame must be auth');
    }
    const version = 'protocolVersion' in value ? value.protocolVersion : undefined;
    if (typeof version === 'number' && version < PROTOCOL_VERSION) {
      return this.close(CloseCode.clientTooOld, `server speaks protocol ${PROTOCOL_VERSION}`);
    }
    if (typeof version === 'number' && version > PROTOCOL_VERSION) {
      return this.close(CloseCode.serverTooOld, `server speaks protocol ${PROTOCOL_VERSION}`);
    }
    const checked = checkAuth(value);
    if (!checked.ok) return this.close(CloseCode.badHandshake, checked.error.message);
    const auth = checked.value;
    if (Object.keys(auth.cursors).length > Limits.maxCursors) {
      return this.close(CloseCode.badHandshake, `cursors: at most ${Limits.maxCursors}`);
    }
    const userId = await this.deps.verifyToken(auth.token);
    if (!userId) return this.close(CloseCode.unauthorized, 'invalid or expired token');
    let access = await this.deps.access.get();
    // Someone who registered on another node a moment ago may be newer than the cache.
    if (!access.member(userId)) access = await this.deps.access.reload();
    if (!access.member(userId)) return this.removed(userId);
    const next = await connectReads(this.deps.db).nextSeq(auth.clientId, userId);
    if (this.state !== 'auth') return;
    if (next === null) {
      return this.close(CloseCode.badHandshake, 'clientId: belongs to another account');
    }
    // Counted and joined with no await in between, so two sockets racing cannot both pass.
    const max = this.deps.options.maxSocketsPerUser;
    if (this.deps.hub.socketsOf(userId) >= max) {
      return this.close(CloseCode.tooManySockets, `at most ${max} sockets per user`);
    }
    this.stopAuthTimer();
    this.state = 'live';
    this.userId = this.deps.hub.userIdString(userId);
    this.clientId = auth.clientId;
    this.send({
      type: 'ready',
      userId,
      protocolVersion: PROTOCOL_VERSION,
      serverTime: new Date().toISOString(),
      nextSeq: next,
    });
    this.deps.presence.set(this.id, this.userId, 'online');
    this.joined = true;
    this.deps.hub.add(this);
    this.streams = new ScopeStreams(this, this.deps);
    this.streams.start(auth.cursors, [COMMUNITY_SCOPE, userScope(userId)]);
  }

  private async onFrame(text: string): Promise<void> {
    const parsed = parse(text);
    // Every other frame waits for the answers of the mutations before it: what the client gets keeps its order.
    if (!parsed.ok || !isMutate(parsed.value)) await this.answers?.settled();
    if (!parsed.ok) return this.error({ kind: 'invalid', message: 'frame: not valid JSON' });
    const value = parsed.value;
    const requestId =
      typeof value === 'object' &&
      value !== null &&
      'requestId' in value &&
      typeof value.requestId === 'string'
        ? value.requestId.slice(0, 64)
        : undefined;
    const type =
      typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
    if (type === 'auth')
      return this.error({ kind: 'protocol', message: 'type: already authenticated' }, requestId);
    if (typeof type !== 'string' || !Object.hasOwn(checkUp, type)) {
      return this.error({ kind: 'invalid', message: 'type: unknown frame type' }, requestId);
    }
    const checked = checkUp[type as keyof typeof checkUp](value);
    if (!checked.ok) {
      await this.answers?.settled();
      return this.error(checked.error, requestId);
    }
    const frame = checked.value;
    switch (frame.type) {
      case 'mutate':
        return this.onMutate(frame);
      case 'history':
        return this.onHistory(frame);
      case 'presence':
        return this.onPresence(frame);
      case 'ping':
        return this.send({ type: 'pong' });
      case 'notes.open':
      case 'notes.close':
      case 'notes.sync':
      case 'notes.awareness':
      case 'notes.versions':
      case 'notes.restore':
        return (this.notes ??= new SessionNotes(this, this.deps)).handle(frame);
    }
  }

  /** Submits at once; the answer follows those of earlier frames (see {@link InFlightAnswers}). */
  private onMutate(frame: MutateUp): Promise<void> {
    this.answers ??= new InFlightAnswers(MUTATIONS_IN_FLIGHT);
    return this.answers.add(
      dispatch(this.deps.dispatch, this.userId, this.clientId, frame),
      (answer) => this.send(answer),
      (err: unknown) => {
        this.deps.log.error({ err }, 'sync frame failed');
        this.close(1011, 'internal error');
      },
    );
  }

  private async onHistory(frame: HistoryUp): Promise<void> {
    const access = await this.deps.access.get();
    if (!access.canSeeChannel(this.userId, frame.channelId)) {
      return this.error(
        { kind: 'not_found', message: 'channelId: no such channel' },
        frame.requestId,
      );
    }
    const page = await messagePage(
      this.deps.db,
      frame.channelId,
      frame.before,
      frame.limit,
      Limits.historyPageBytes,
    );
    this.send({ type: 'history', requestId: frame.requestId, channelId: frame.channelId, ...page });
  }

  private onPresence(frame: PresenceUp): void {
    // Every change goes to every socket of every node: it costs like typing.
    const wait = this.deps.dispatch.mutationLimiter.take(this.userId, actionCost('presence'));
    if (wait > 0) {
      return this.error({
        kind: 'rate_limited',
        message: RATE_LIMITED_MESSAGE,
        retryAfterMs: wait,
      });
    }
    this.deps.presence.set(this.id, this.userId, frame.status);
  }

  private error(error: WireError, requestId?: string): void {
    this.send(
      requestId === undefined ? { type: 'error', error } : { type: 'error', error, requestId },
    );
  }
}
