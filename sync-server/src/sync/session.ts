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
import { nextSeq, dispatch } from './dispatch.ts';
import type { SyncDeps } from './deps.ts';
import type { HubSession } from './hub.ts';
import { TokenBucket } from './rate-limit.ts';
import { ScopeStreams } from './streams.ts';
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

/**
 * One sync socket: the `auth` handshake, then mutations, history, presence and
 * pings in arrival order, while {@link ScopeStreams} keeps the client's
 * scopes current. Every handler is guarded: a bad frame gets an `error` frame
 * or a close code, never an exception out of here.
 */
export class Session implements HubSession {
  readonly id = randomUUID();
  userId = '';
  private clientId = '';
  private state: 'auth' | 'live' | 'closed' = 'auth';
  private readonly inbound = new SerialQueue();
  private readonly frameBucket: TokenBucket;
  private readonly authTimer: NodeJS.Timeout;
  private streams: ScopeStreams | undefined;
  private queuedBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SyncDeps,
  ) {
    this.frameBucket = new TokenBucket(
      deps.options.frameRate.capacity,
      deps.options.frameRate.windowMs,
    );
    this.authTimer = setTimeout(
      () => this.close(CloseCode.authTimeout, 'no auth in time'),
      deps.options.authTimeoutMs,
    );
    ws.on('message', (data) => this.onMessage(data));
    ws.on('close', () => this.onClose());
    ws.on('error', (err) => deps.log.debug({ err }, 'sync socket error'));
  }

  /** Sends a frame now, if the socket is still open. */
  send(frame: DownMessage): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  deliver(event: ChangesEvent): void {
    this.streams?.deliver(event);
  }

  refreshAccess(): void {
    this.streams?.refreshAccess();
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    // Close reasons are capped at 123 bytes by the protocol.
    this.ws.close(code, Buffer.from(reason).subarray(0, 120).toString());
  }

  private onMessage(data: RawData): void {
    if (this.state === 'closed') return;
    const text = toText(data);
    if (this.frameBucket.take() > 0 || this.queuedBytes + text.length > MAX_QUEUED_BYTES) {
      this.close(CloseCode.rateLimited, 'too many frames');
      return;
    }
    // The deadline is for sending auth, not for us to check it (slow under load).
    if (this.state === 'auth') clearTimeout(this.authTimer);
    this.queuedBytes += text.length;
    this.inbound.run(async () => {
      this.queuedBytes -= text.length;
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

  private onClose(): void {
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.deps.hub.remove(this);
    this.streams?.stop();
    if (this.userId) this.deps.presence.remove(this.id, this.userId);
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
    if (!access.member(userId)) return this.close(CloseCode.forbidden, 'not a member');
    if (this.state !== 'auth') return;
    clearTimeout(this.authTimer);
    this.state = 'live';
    this.userId = userId;
    this.clientId = auth.clientId;
    this.send({
      type: 'ready',
      userId,
      protocolVersion: PROTOCOL_VERSION,
      serverTime: new Date().toISOString(),
      nextSeq: await nextSeq(this.deps.db, auth.clientId),
    });
    this.deps.presence.set(this.id, userId, 'online');
    this.deps.hub.add(this);
    this.streams = new ScopeStreams(this, this.deps);
    this.streams.start(auth.cursors, [COMMUNITY_SCOPE, userScope(userId)]);
  }

  private async onFrame(text: string): Promise<void> {
    const parsed = parse(text);
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
    if (!checked.ok) return this.error(checked.error, requestId);
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
    }
  }

  private async onMutate(frame: MutateUp): Promise<void> {
    this.send(await dispatch(this.deps.dispatch, this.userId, this.clientId, frame));
  }

  private async onHistory(frame: HistoryUp): Promise<void> {
    const access = await this.deps.access.get();
    if (!access.canSeeChannel(this.userId, frame.channelId)) {
      return this.error(
        { kind: 'not_found', message: 'channelId: no such channel' },
        frame.requestId,
      );
    }
    const page = await messagePage(this.deps.db, frame.channelId, frame.before, frame.limit);
    this.send({ type: 'history', requestId: frame.requestId, channelId: frame.channelId, ...page });
  }

  private onPresence(frame: PresenceUp): void {
    this.deps.presence.set(this.id, this.userId, frame.status);
  }

  private error(error: WireError, requestId?: string): void {
    this.send(
      requestId === undefined ? { type: 'error', error } : { type: 'error', error, requestId },
    );
  }
}
