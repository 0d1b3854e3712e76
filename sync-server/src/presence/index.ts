import type { Bus } from '../bus/types.ts';
import { createMemoryPresenceStore, createRedisPresenceStore } from './store.ts';
import { PresenceTracker, type PresenceOptions } from './tracker.ts';

export { PresenceTracker } from './tracker.ts';

export interface CreatePresenceOptions {
  nodeId: string;
  bus: Bus;
  redisUrl: string | undefined;
  redisPrefix?: string;
  /** A crashed node's users go offline within about this long (plus one refresh). */
  ttlMs: number;
  onChange: PresenceOptions['onChange'];
}

/** A started tracker: Redis-backed with expiry when `redisUrl` is set, in-process otherwise. */
export async function createPresence(options: CreatePresenceOptions): Promise<PresenceTracker> {
  const store = options.redisUrl
    ? await createRedisPresenceStore({
        url: options.redisUrl,
        ttlMs: options.ttlMs,
        ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
      })
    : createMemoryPresenceStore();
  const tracker = new PresenceTracker({
    nodeId: options.nodeId,
    bus: options.bus,
    store,
    refreshMs: Math.max(100, Math.floor(options.ttlMs / 3)),
    onChange: options.onChange,
  });
  await tracker.start();
  return tracker;
}
