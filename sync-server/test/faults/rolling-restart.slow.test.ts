/**
 * SLOW (~1 min): a rolling restart. Two real sync-server processes on one
 * Postgres and Redis behind the cluster's load balancer (src/cluster/proxy.ts,
 * which polls /readyz); 50 clients send 5 messages a second each while each
 * node in turn gets SIGTERM (drain: sockets closed with goingAway, /readyz
 * 503), exits, and is started again. Nothing is lost or duplicated, and every
 * client is back within 5 s of each SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type Proxy } from '../../src/cluster/proxy.ts';
import { createPgDb } from '../../src/db/pg.ts';
import type { ScriptDb } from '../../src/db/script.ts';
import { createPgTestDatabase } from '../helpers/db.ts';
import { nodeEnv } from './processes.ts';
import { startServer, type TestServer } from '@echora/testkit';
import { settle } from './tally.ts';
import { connectClients, trafficThroughFault } from './traffic.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rolling restart of two nodes under traffic', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: ScriptDb;
  let env: Record<string, string>;
  const nodes: TestServer[] = [];
  let proxy: Proxy;

  beforeAll(async () => {
    database = await createPgTestDatabase();
    db = createPgDb({ connectionString: database.url, max: 2 });
    env = nodeEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: `echora_rolling_${randomUUID()}:`,
      SHUTDOWN_DRAIN_MS: '1000',
      TRUST_PROXY: 'true',
    });
    // One first: it migrates; the second finds nothing to do.
    nodes.push(await startServer({ env }));
    nodes.push(await startServer({ env }));
    proxy = await startProxy({ host: '127.0.0.1', port: 0, upstreams: nodes.map((n) => n.url) });
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await db?.close();
    await database?.drop();
    rmSync(env.DATA_DIR ?? '', { recursive: true, force: true });
  });

  it('loses nothing, duplicates nothing, and every client is back within 5 s', async () => {
    const { clients, channelId } = await connectClients(proxy.url, 50, 10, () => proxy.url);
    const backWithinMs: number[] = [];
    /** At each SIGTERM: was traffic still flowing (not every message acknowledged yet)? */
    const midTraffic: boolean[] = [];
    const totalReconnects = () => clients.reduce((n, c) => n + c.reconnects, 0);

    const result = await trafficThroughFault({
      name: 'rolling restart',
      clients,
      channelId,
      perClient: 200, // 5 a second for 40 s
      intervalMs: 200,
      faultAfterMs: 1000,
      db,
      fault: async () => {
        for (let i = 0; i < nodes.length; i++) {
          const old = nodes[i] as TestServer;
          const before = totalReconnects();
          const struck = Date.now();
          midTraffic.push(clients.reduce((n, c) => n + c.acked.size, 0) < 50 * 200);
          old.child.kill('SIGTERM');
          await settle(
            () => totalReconnects() > before && clients.every((c) => c.connected),
            10_000,
          );
          backWithinMs.push(Date.now() - struck);
          await old.stop();
          const fresh = await startServer({ env });
          nodes[i] = fresh;
          proxy.setUpstreams(nodes.map((n) => n.url));
        }
      },
    });
    for (const c of clients) c.kill();
    console.log(`[fault] rolling restart: clients back within ${backWithinMs.join(' ms, ')} ms`);

    expect(result.details).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.stored).toBe(50 * 200);
    // Unacknowledged sends at the instant of a SIGTERM are luck; traffic still flowing is not.
    expect(midTraffic).toEqual([true, true]);
    expect(backWithinMs).toHaveLength(2);
    for (const ms of backWithinMs) expect(ms).toBeLessThan(5000);
  }, 240_000);
});
