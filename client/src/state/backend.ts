import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { SyncEngine } from '../sync/engine.ts';
import { forgetReplica } from '../sync/forget.ts';
import { NotesProvider } from '../sync/notes-provider.ts';
import { createReplica, type Replica } from '../sync/replica.ts';

/*
 * The one place the UI meets the sync engine: screens see only the ports.
 */

/**
 * Opens the device's replica of one community (cleared when another user
 * signs in); the phone apps keep one per community they know.
 */
export function openReplica(name = 'echora'): ReplicaPort {
  return createReplica(name);
}

/** Creates the sync engine for a signed-in user. */
export function createEngine(
  replica: ReplicaPort,
  options: { url: string; userId: string; getToken: () => Promise<string | null> },
): EnginePort {
  return new SyncEngine({ replica: replica as Replica, ...options });
}

/** Forgets everything the replica holds (no engine running); answers the unsent messages dropped. */
export function forgetLocalData(replica: ReplicaPort): Promise<number> {
  return forgetReplica(replica as Replica);
}

export type { NotesStatus } from '../sync/notes-provider.ts';
export { colorOf } from '../sync/notes-provider.ts';

/** One channel's notes document on this device, synced through the engine's socket. */
export function createNotes(
  engine: EnginePort,
  channelId: string,
  self: { id: string; name: string },
  nameOf: (userId: string) => string,
): NotesProvider {
  return new NotesProvider(engine, channelId, self, nameOf);
}
