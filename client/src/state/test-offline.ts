import { emptyMessageExtras, newId } from '@echora/shared';
import { SyncEngine } from '../sync/engine.ts';
import type { LocalMessage, Replica } from '../sync/replica.ts';
import { memoryReplica } from '../sync/test-replica.ts';

/*
 * For state tests: a real replica (Dexie over fake-indexeddb) and a real sync
 * engine that never connects, so every mutation is applied at once and queued,
 * as on a device offline.
 */

/** A replica and an engine for user `userId` that queues every mutation. */
export function offlineEngine(userId = newId()): { replica: Replica; engine: SyncEngine } {
  const replica = memoryReplica();
  const engine = new SyncEngine({
    replica,
    url: 'ws://127.0.0.1:9/api/sync',
    getToken: () => Promise.resolve(null),
    userId,
  });
  return { replica, engine };
}

/** Resolves once the engine counts `n` queued mutations (read marks aside). */
export const queued = (engine: SyncEngine, n: number): Promise<void> =>
  new Promise<void>((resolve) => {
    if (engine.pendingCount() === n) return resolve();
    const off = engine.onPending((count) => {
      if (count !== n) return;
      off();
      resolve();
    });
  });

/** A message the server has confirmed, as the replica holds it. */
export function sentMessage(channelId: string, authorId: string, content: string): LocalMessage {
  return {
    id: newId(),
    channelId,
    authorId,
    content,
    seq: 1,
    createdAt: new Date().toISOString(),
    editedAt: null,
    ...emptyMessageExtras(),
    status: 'sent',
    sortKey: 1,
  };
}

/** Polls `check` until it holds (a state's async work finished), or fails after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}
