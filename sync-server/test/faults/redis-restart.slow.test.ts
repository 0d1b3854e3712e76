/**
 * SLOW (~20 s): two real sync-server nodes on one Postgres and a private
 * Redis, which is killed and started again (empty) while 20 clients send.
 * Live fan-out across nodes stops meanwhile; the feed fills the gap after.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDb } from '../../src/db/pg.ts';
import type { ScriptDb } from '../../src/db/script.ts';
import { createPgTestDatabase } from '../helpers/db.ts';
import { nodeEnv, startPrivateRedis, type PrivateRedis } from './processes.ts';
import { startServer, type TestServer } from '@echora/testkit';
import { connectClients, trafficThroughFault } from './traffic.ts';

describe('Redis stopped and started mid-traffic', () => {
  let database: { url: string; drop(): Promise<void> };
  let redis: PrivateRedis;
  let db: ScriptDb;
  let nodes: TestServer[] = [];

  beforeAll(async () => {
    database = await createPgTestDatabase();
    redis = await startPrivateRedis();
    db = createPgDb({ connectionString: database.url, max: 1 });
    const env = nodeEnv({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `echora_fault_${randomUUID()}:`,
    });
    nodes = await Promise.all([startServer({ env }), startServer({ env })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
    await db.close();
    await database.drop();
  });

  it('loses and duplicates nothing, and clients on both nodes converge', async () => {
    const [n1, n2] = nodes as [TestServer, TestServer];
    const { clients, channelId } = await connectClients(n1.url, 20, 4, (i) =>
      i % 2 === 0 ? n1.url : n2.url,
    );
    const result = await trafficThroughFault({
      name: 'redis restart',
      clients,
      channelId,
      perClient: 20,
      intervalMs: 60,
      faultAfterMs: 300,
      db,
      fault: async () => {
        await redis.stop();
        await new Promise((r) => setTimeout(r, 1000));
        await redis.start();
      },
    });
    for (const c of clients) c.kill();

    expect(result.details).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.stored).toBe(400);
    for (const n of nodes) expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
