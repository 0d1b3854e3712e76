import type { Bus } from '../bus/types.ts';
import type { Db } from '../db/types.ts';
import type { AccessCache } from '../domain/permissions/access.ts';
import type { VoiceRelay } from '../domain/voice/relay.ts';
import type { VoiceStateStore } from '../domain/voice/state.ts';
import type { PresenceTracker } from '../presence/tracker.ts';
import type { DispatchDeps } from './dispatch.ts';
import type { Hub } from './hub.ts';

/** The slice of a pino/Fastify logger the sync engine uses. */
export interface SyncLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface SyncOptions {
  /** Close a socket that has not sent `auth` by then. */
  authTimeoutMs: number;
  /** Frames per socket before it is closed as flooding. */
  frameRate: { capacity: number; windowMs: number };
  /** `message.send` per user before `rate_limited`. */
  sendRate: { capacity: number; windowMs: number };
  /** A crashed node's users go offline within about this long. */
  presenceTtlMs: number;
}

export const defaultSyncOptions: SyncOptions = {
  authTimeoutMs: 5000,
  frameRate: { capacity: 1000, windowMs: 10_000 },
  // A burst big enough for an offline outbox to drain on reconnect.
  sendRate: { capacity: 100, windowMs: 60_000 },
  presenceTtlMs: 10_000,
};

/** Everything a session needs, built once per app by the sync plugin. */
export interface SyncDeps {
  db: Db;
  bus: Bus;
  hub: Hub;
  access: AccessCache;
  presence: PresenceTracker;
  /** Who is in which voice channel (ephemeral, from the SFU nodes via the bus). */
  voice: VoiceStateStore;
  /** Puts an SFU node's report on the bus for every node. */
  voiceRelay: VoiceRelay;
  dispatch: DispatchDeps;
  /** The user id of a valid access token, or null. */
  verifyToken: (token: string) => Promise<string | null>;
  log: SyncLog;
  options: SyncOptions;
}
