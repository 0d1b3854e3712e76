import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { InterimEngine } from '../lib/interim-engine.ts';
import { createReplica } from '../sync/replica.ts';

/*
 * The one place the UI meets the sync engine: swap the implementation here.
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
  return new InterimEngine(replica, options.userId);
}
