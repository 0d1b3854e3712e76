import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { SyncEngine } from '../sync/engine.ts';
import { createReplica, type Replica } from '../sync/replica.ts';

/*
 * The one place the UI meets the sync engine: screens see only the ports.
 */

/** Opens the device's replica (one per installation; cleared when another user signs in). */
export function openReplica(): ReplicaPort {
  return createReplica('echora');
}

/** Creates the sync engine for a signed-in user. */
export function createEngine(
  replica: ReplicaPort,
  options: { url: string; userId: string; getToken: () => Promise<string | null> },
): EnginePort {
  return new SyncEngine({ replica: replica as Replica, ...options });
}
