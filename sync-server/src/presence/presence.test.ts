import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { PresenceStatus } from '@echora/shared';
import { createMemoryBus } from '../bus/memory.ts';
import { createRedisBus } from '../bus/redis.ts';
import type { Bus } from '../bus/types.ts';
import { createPresence } from './index.ts';
import { createRedisPresenceStore } from './store.ts';
import type { PresenceTracker } from './tracker.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('presence on one node', () => {
  it('is online while any connection is online, idle when all are idle, offline when none', async () => {
    const changes: [string, PresenceStatus][] = [];
    const p = await createPresence({
      nodeId: 'solo',
      bus: createMemoryBus(),
      redisUrl: undefined,
      ttlMs: 3000,
      onChange: (u, s) => changes.push([u, s]),
    });
    const u = randomUUID();
    p.set('c1', u, 'online');
    p.set('c2', u, 'idle');
    await until(() => p.status(u) === 'online');
    p.set('c1', u, 'idle');
    await until(() => p.status(u) === 'idle');
    p.remove('c1', u);
    await new Promise((r) => setTimeout(r, 20));
    expect(p.status(u)).toBe('idle');
    p.remove('c2', u);
    await until(() => p.status(u) === 'offline');
    expect(changes).toEqual([
      [u, 'online'],
      [u, 'idle'],
      [u, 'offline'],
    ]);
    expect(p.snapshot()).toEqual([]);
    await p.stop();
  });
});

describe('presence across nodes on Redis', () => {
  const prefix = `echora_t_${randomUUID()}:`;
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  async function node(
    nodeId: string,
  ): Promise<{ p: PresenceTracker; bus: Bus; seen: Map<string, PresenceStatus> }> {
    const bus = await createRedisBus({ url: REDIS_URL, prefix });
    const seen = new Map<string, PresenceStatus>();
    const p = await createPresence({
      nodeId,
      bus,
      redisUrl: REDIS_URL,
      redisPrefix: prefix,
      ttlMs: 600,
      onChange: (u, s) => seen.set(u, s),
    });
    closers.push(() => bus.close());
    return { p, bus, seen };
  }

  it('agrees across nodes, snapshots on start, and says offline on a clean stop', async () => {
    const a = await node('a');
    const b = await node('b');
    const u1 = randomUUID();
    const u2 = randomUUID();
    a.p.set('x', u1, 'online');
    b.p.set('y', u1, 'idle');
    b.p.set('z', u2, 'idle');
    await until(() => a.seen.get(u2) === 'idle' && b.seen.get(u1) === 'online');
    const c = await node('c');
    expect(new Map(c.p.snapshot().map((e) => [e.userId, e.status]))).toEqual(
      new Map([
        [u1, 'online'],
        [u2, 'idle'],
      ]),
    );
    await a.p.stop();
    await until(() => b.p.status(u1) === 'idle' && c.p.status(u1) === 'idle');
    await b.p.stop();
    await until(() => c.p.status(u1) === 'offline' && c.p.status(u2) === 'offline');
    await c.p.stop();
  });

  it("drops a crashed node's users once its entries expire", async () => {
    const live = await node('live');
    // A node that wrote its entry and then died: nobody refreshes it.
    const dead = await createRedisPresenceStore({ url: REDIS_URL, prefix, ttlMs: 600 });
    const u = randomUUID();
    await dead.write('dead', u, 'online');
    await live.bus.publish({ type: 'presence', nodeId: 'dead', userId: u, status: 'online' });
    await until(() => live.seen.get(u) === 'online');
    const started = Date.now();
    await until(() => live.seen.get(u) === 'offline', 3000);
    expect(Date.now() - started).toBeLessThan(1500);
    await dead.close();
    await live.p.stop();
  });
});
