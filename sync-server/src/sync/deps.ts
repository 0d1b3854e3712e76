import { Limits } from '@echora/shared';
import type { Bus } from '../bus/types.ts';
import type { Db } from '../db/types.ts';
import type { AccessCache } from '../domain/permissions/access.ts';
import type { VoiceRelay } from '../domain/voice/relay.ts';
import type { VoiceStateStore } from '../domain/voice/state.ts';
import type { PresenceTracker } from '../presence/tracker.ts';
import type { Writer } from '../write/writer.ts';
import type { DispatchDeps } from './dispatch.ts';
import type { Hub } from './hub.ts';
import { defaultNotesOptions, type NoteRooms, type NotesOptions } from './notes/rooms.ts';

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
  /**
   * Each user's bucket for every durable mutation, typing and presence (a
   * token each, a quarter for the cheap ones: `action-cost.ts`) before `rate_limited`.
   */
  sendRate: { capacity: number; windowMs: number };
  /** A crashed node's users go offline within about this long. */
  presenceTtlMs: number;
  /**
   * Bytes waiting for one socket before it is closed with `slowConsumer` (a
   * frame to a socket with at most `socketPauseBytes` waiting always goes).
   */
  socketBufferBytes: number;
  /** Above this many bytes waiting, the socket's next frame waits (and reading stops) until it drains. */
  socketPauseBytes: number;
  /** Frames of one socket queued for handling before the server stops reading it. */
  framesInFlight: number;
  /** Every socket is pinged this often; one that has not answered by the next ping is closed. */
  pingMs: number;
  /** Sync sockets one user may have open on this node; more are closed with `tooManySockets`. */
  maxSocketsPerUser: number;
  /** Notes documents: size cap, compaction, kept versions. */
  notes: NotesOptions;
}

export const defaultSyncOptions: SyncOptions = {
  authTimeoutMs: 5000,
  frameRate: { capacity: 1000, windowMs: 10_000 },
  // A burst big enough for an offline outbox to drain on reconnect.
  sendRate: { capacity: 100, windowMs: 60_000 },
  presenceTtlMs: 10_000,
  socketBufferBytes: Limits.socketBufferBytes,
  // Two history pages: a reader that keeps up never waits, one that stops costs this much.
  socketPauseBytes: 2 * Limits.historyPageBytes,
  // The client keeps at most 64 mutations in flight, plus history, typing and pings.
  framesInFlight: 128,
  pingMs: 30_000,
  // Tabs and devices of one person; each socket may hold `socketBufferBytes`.
  maxSocketsPerUser: 10,
  notes: defaultNotesOptions,
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
  /** Publishes what every writer of this node commits (also `app.writer`). */
  writer: Writer;
  /** This node's open notes documents. */
  notes: NoteRooms;
  /** The user id of a valid access token, or null. */
  verifyToken: (token: string) => Promise<string | null>;
  log: SyncLog;
  options: SyncOptions;
}
