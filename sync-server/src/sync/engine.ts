import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { CloseCode, Limits } from '@echora/shared';
import { createBus } from '../bus/index.ts';
import type { Db, Queryable } from '../db/types.ts';
import { seedDefaultChannels } from '../domain/channels/seed.ts';
import { addMember } from '../domain/members/join.ts';
import { AccessCache } from '../domain/permissions/access.ts';
import { startVoiceRelay } from '../domain/voice/relay.ts';
import { VoiceStateStore } from '../domain/voice/state.ts';
import { createPresence } from '../presence/index.ts';
import { ChangeSet } from '../write/change-set.ts';
import { Writer } from '../write/writer.ts';
import { createDispatch } from './dispatch.ts';
import { defaultSyncOptions, type SyncDeps, type SyncLog, type SyncOptions } from './deps.ts';
import { Hub } from './hub.ts';
import { KeyedLimiter } from '../limits/token-bucket.ts';
import { NoteRooms } from './notes/rooms.ts';
import { Session } from './session.ts';
import { startTyping } from './typing.ts';
import { socketsOpen } from '../metrics/registry.ts';
import { releaseUpgrade } from './upgrade.ts';

export interface SyncEngineOptions {
  db: Db;
  redisUrl: string | undefined;
  /** Redis key and channel prefix (tests use a unique one). */
  redisPrefix?: string;
  verifyToken: (token: string) => Promise<string | null>;
  log: SyncLog;
  options?: Partial<SyncOptions>;
}

/** The sync engine of one node. */
export interface SyncEngine {
  /** Registers `GET /api/sync`. */
  routes(app: FastifyInstance): Promise<void>;
  /**
   * Makes a new user a member inside the registration transaction `tx`.
   * Returns the function to call after that transaction commits (it publishes).
   */
  addMember(tx: Queryable, userId: string): Promise<() => Promise<void>>;
  /**
   * Starts a graceful stop: `ready()` turns false, every socket is closed with
   * `goingAway` (clients reconnect at once, to another node behind a load
   * balancer) and new ones are turned away with it. Mutations already
   * submitted still commit; their answers replay on the next connection.
   */
  drain(): void;
  /** False while draining or while the bus is disconnected. */
  ready(): boolean;
  /** Closes every socket with `goingAway`, says goodbye on presence, closes the bus. */
  close(): Promise<void>;
  readonly deps: SyncDeps;
}

/** The engine's tunables that the configuration sets (all optional). */
export function syncOptionsFromConfig(config: {
  presenceTtlMs: number | undefined;
  sendRatePerMinute: number | undefined;
  maxSocketsPerUser: number | undefined;
  socketPingMs: number | undefined;
}): Partial<SyncOptions> {
  return {
    ...(config.presenceTtlMs !== undefined ? { presenceTtlMs: config.presenceTtlMs } : {}),
    ...(config.sendRatePerMinute !== undefined
      ? { sendRate: { capacity: config.sendRatePerMinute, windowMs: 60_000 } }
      : {}),
    ...(config.maxSocketsPerUser !== undefined
      ? { maxSocketsPerUser: config.maxSocketsPerUser }
      : {}),
    ...(config.socketPingMs !== undefined ? { pingMs: config.socketPingMs } : {}),
  };
}

/**
 * Builds the bus, presence, permission cache and hub, and seeds the default
 * channels (once, whichever node gets there first).
 */
export async function createSyncEngine(opts: SyncEngineOptions): Promise<SyncEngine> {
  const options: SyncOptions = { ...defaultSyncOptions, ...opts.options };
  const { db, log } = opts;
  const bus = await createBus(opts.redisUrl, opts.redisPrefix);
  const access = new AccessCache(db);
  const hub = new Hub(bus, access);
  const presence = await createPresence({
    nodeId: randomUUID(),
    bus,
    redisUrl: opts.redisUrl,
    ttlMs: options.presenceTtlMs,
    onChange: (userId, status) => hub.presenceChanged(userId, status),
    ...(opts.redisPrefix === undefined ? {} : { redisPrefix: opts.redisPrefix }),
  });
  const voice = new VoiceStateStore();
  voice.subscribe((channelId, participants) => hub.voiceChanged(channelId, participants));
  const voiceRelay = startVoiceRelay(bus, voice, randomUUID());
  hub.start();
  const notes = new NoteRooms(db, bus, log, options.notes);
  notes.start();
  const seeded = await seedDefaultChannels(db);
  await seeded.publish(bus);
  const sockets = new Set<Session>();
  let draining = false;
  // One timer for every socket. The check runs after the loop's I/O phase
  // (setImmediate), so a pong that arrived while the loop was busy is read
  // before its socket is judged.
  const heartbeat = setInterval(
    () => setImmediate(() => sockets.forEach((s) => s.heartbeat())),
    options.pingMs,
  );
  heartbeat.unref();
  const logError = (err: unknown, msg: string) => log.error({ err }, msg);
  // One listener for every socket (`ws` closes a socket after its error).
  const forget = (session: Session) => {
    sockets.delete(session);
    socketsOpen.dec();
  };
  const onSocketError = (err: Error) => log.debug({ err }, 'sync socket error');
  const writer = new Writer({ db, bus, access, log: logError });
  const deps: SyncDeps = {
    db,
    bus,
    hub,
    access,
    presence,
    voice,
    voiceRelay,
    notes,
    writer,
    verifyToken: opts.verifyToken,
    log,
    options,
    dispatch: createDispatch({
      db,
      access,
      publish: (changes) => writer.publish(changes),
      mutationLimiter: new KeyedLimiter(options.sendRate.capacity, options.sendRate.windowMs),
      ephemeral: (_name, args, userId) => startTyping(bus, access, args, userId),
      log: logError,
    }),
  };
  return {
    deps,
    async routes(app) {
      // Frames over the cap close the socket with 1009 before we read them. The
      // engine keeps its own set of sessions: `ws` need not track its clients
      // (a `close` listener and a set entry per socket, ~250 bytes).
      await app.register(websocket, {
        options: { maxPayload: Limits.frameBytes, clientTracking: false },
      });
      app.get('/api/sync', { websocket: true }, (socket, request) => {
        releaseUpgrade(socket, request);
        socket.on('error', onSocketError);
        if (draining) return socket.close(CloseCode.goingAway, 'server restarting');
        sockets.add(new Session(socket, deps, forget));
        socketsOpen.inc();
      });
    },
    async addMember(tx, userId) {
      const changes = new ChangeSet();
      await addMember(tx, userId, changes);
      return () => writer.publish(changes);
    },
    drain() {
      draining = true;
      for (const s of sockets) s.close(CloseCode.goingAway, 'server restarting');
    },
    ready: () => !draining && bus.ready(),
    async close() {
      draining = true;
      clearInterval(heartbeat);
      for (const s of sockets) s.close(CloseCode.goingAway, 'server shutting down');
      hub.stop();
      await notes.close();
      voiceRelay.stop();
      await presence.stop();
      await bus.close();
    },
  };
}
