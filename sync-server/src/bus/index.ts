import { createMemoryBus } from './memory.ts';
import { createRedisBus } from './redis.ts';
import type { Bus } from './types.ts';

export type * from './types.ts';

/** Redis pub/sub when `redisUrl` is set (several nodes), otherwise the in-process bus. */
export async function createBus(redisUrl: string | undefined, prefix?: string): Promise<Bus> {
  if (!redisUrl) return createMemoryBus();
  return createRedisBus(prefix === undefined ? { url: redisUrl } : { url: redisUrl, prefix });
}
