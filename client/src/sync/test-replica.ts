import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { newId } from '@echora/shared';
import { createReplica, type Replica } from './replica.ts';

/**
 * A replica in an in-memory IndexedDB (fake-indexeddb) for tests in Node. Pass
 * the same `factory` to open the same database again, as a reloaded app would.
 */
export function memoryReplica(
  factory: IDBFactory = new IDBFactory(),
  name = `echora-${newId()}`,
): Replica {
  return createReplica(name, { indexedDB: factory, IDBKeyRange });
}
