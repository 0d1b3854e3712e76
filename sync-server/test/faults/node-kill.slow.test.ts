/**
 * SLOW (~20 s): two real sync-server processes on one Postgres and Redis;
 * one is killed with SIGKILL while 50 clients send. Its clients reconnect to
 * the survivor and resend what was not acknowledged.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDb } from '../../src/db/pg.ts';
import type { ScriptDb } from '../../src/db/script.ts';
import { createPgTestDatabase } from '../helpers/db.ts';
import { nodeEnv } from './processes.ts';
import { startServer, type TestServer } from '@echora/testkit';
import { connectClients, trafficThroughFault } from './traffic.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('kill -9 of a sync-server node under traffic', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: ScriptDb;
  let nodes: TestServer[] = [];

  beforeAll(async () => {
    database = await createPgTestDatabase();
    db = createPgDb({ connectionString: database.url, max: 2 });
    const env = nodeEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: `echora_fault_${randomUUID()}:`,
    });
    nodes = await Promise.all([startServer({ env }), startServer({ env })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await db.close();
    await database.drop();
  });

  it('loses and duplicates nothing: acked messages are stored and delivered, unacked ones resent once', async () => {
    const [doomed, survivor] = nodes as [TestServer, TestServer];
    let doomedUp = true;
    const { clients, channelId } = await connectClients(survivor.url, 50, 10, (i) =>
      doomedUp && i < 25 ? doomed.url : survivor.url,
    );
    const result = await trafficThroughFault({
      name: 'node kill -9',
      clients,
      channelId,
      perClient: 12,
      intervalMs: 50,
      faultAfterMs: 300,
      // After a send to the doomed node: it dies with that send unacknowledged.
      strikesAfter: (i) => i < 25,
      db,
      fault: async () => {
        doomedUp = false;
        await doomed.kill();
      },
    });
    for (const c of clients) c.kill();

    expect(result.details).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.stored).toBe(600);
    // The fault must have struck mid-traffic for the test to mean anything.
    expect(result.pendingAtFault).toBeGreaterThan(0);
    expect(clients.slice(0, 25).every((c) => c.reconnects > 0)).toBe(true);
  }, 120_000);
});
