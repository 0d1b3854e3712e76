import { Redis } from 'ioredis';
import type { PresenceStatus } from '@echora/shared';

/** Each node's users and their status on that node. */
export type NodeView = Map<string, Map<string, PresenceStatus>>;

/**
 * Where a node's presence entries live so other nodes can read them and see
 * them vanish when the node dies. In-process for a single node; Redis hashes
 * with an expiry for several.
 */
export interface PresenceStore {
  /** Sets (or, with `offline`, removes) one user's status on `nodeId`. */
  write(nodeId: string, userId: string, status: PresenceStatus): Promise<void>;
  /** Rewrites all of a node's entries and pushes its expiry forward. */
  refresh(nodeId: string, entries: ReadonlyMap<string, PresenceStatus>): Promise<void>;
  /** Everything every live node holds. */
  load(): Promise<NodeView>;
  /** Which of `nodeIds` still have unexpired entries. */
  alive(nodeIds: readonly string[]): Promise<Set<string>>;
  /** Removes the node's entries at a clean shutdown. */
  remove(nodeId: string): Promise<void>;
  close(): Promise<void>;
}

/** A single node needs no shared store: every node it knows is itself. */
export function createMemoryPresenceStore(): PresenceStore {
  return {
    write: () => Promise.resolve(),
    refresh: () => Promise.resolve(),
    load: () => Promise.resolve(new Map()),
    alive: (nodeIds) => Promise.resolve(new Set(nodeIds)),
    remove: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

export interface RedisPresenceOptions {
  url: string;
  prefix?: string;
  /** How long a node's entries outlive its last refresh. */
  ttlMs: number;
}

/**
 * One hash per node (`presence:<nodeId>`, userId → status) with a TTL the node
 * keeps pushing forward; a set names the nodes. A crashed node stops
 * refreshing, its hash expires, and the others drop its users.
 */
export async function createRedisPresenceStore(
  options: RedisPresenceOptions,
): Promise<PresenceStore> {
  const prefix = `${options.prefix ?? 'echora:'}presence:`;
  const nodesKey = `${prefix}nodes`;
  const key = (nodeId: string) => `${prefix}node:${nodeId}`;
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', (err) => console.error('redis presence', err.message));
  await redis.connect();
  return {
    async write(nodeId, userId, status) {
      const multi = redis.multi();
      if (status === 'offline') multi.hdel(key(nodeId), userId);
      else multi.hset(key(nodeId), userId, status).pexpire(key(nodeId), options.ttlMs);
      await multi.sadd(nodesKey, nodeId).exec();
    },
    async refresh(nodeId, entries) {
      const multi = redis.multi().del(key(nodeId));
      if (entries.size > 0) {
        multi.hset(key(nodeId), Object.fromEntries(entries)).pexpire(key(nodeId), options.ttlMs);
      }
      await multi.sadd(nodesKey, nodeId).exec();
    },
    async load() {
      const nodeIds = await redis.smembers(nodesKey);
      const view: NodeView = new Map();
      const hashes = await Promise.all(nodeIds.map((id) => redis.hgetall(key(id))));
      const gone: string[] = [];
      nodeIds.forEach((id, i) => {
        const hash = hashes[i] ?? {};
        const users = new Map<string, PresenceStatus>();
        for (const [userId, status] of Object.entries(hash)) {
          if (status === 'online' || status === 'idle') users.set(userId, status);
        }
        if (users.size > 0) view.set(id, users);
        else gone.push(id);
      });
      // Forget nodes whose entries expired or emptied, so the set stays small.
      if (gone.length > 0) await redis.srem(nodesKey, ...gone);
      return view;
    },
    async alive(nodeIds) {
      if (nodeIds.length === 0) return new Set();
      const found = await Promise.all(nodeIds.map((id) => redis.exists(key(id))));
      return new Set(nodeIds.filter((_, i) => found[i] === 1));
    },
    async remove(nodeId) {
      await redis.multi().del(key(nodeId)).srem(nodesKey, nodeId).exec();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
