/**
 * SLOW (~30 s, initdb included): a private Postgres cluster (never the shared
 * one other test files use) is stopped and started again while 20 clients send
 * through a real sync-server process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDb } from '../../src/db/pg.ts';
import type { ScriptDb } from '../../src/db/script.ts';
import { nodeEnv, startPrivatePostgres, type PrivatePostgres } from './processes.ts';
import { startServer, type TestServer } from '@echora/testkit';
import { connectClients, trafficThroughFault } from './traffic.ts';

describe('Postgres restarted mid-traffic', () => {
  let postgres: PrivatePostgres;
  let node: TestServer;
  let db: ScriptDb;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    node = await startServer({ env: nodeEnv({ DATABASE_URL: postgres.url }) });
    db = createPgDb({ connectionString: postgres.url, max: 1 });
  }, 120_000);

  afterAll(async () => {
    await node.stop();
    await db.close();
    await postgres.destroy();
  });

  it('loses and duplicates nothing: clients resend what failed once the database is back', async () => {
    const { clients, channelId } = await connectClients(node.url, 20, 4, () => node.url);
    const result = await trafficThroughFault({
      name: 'postgres restart',
      clients,
      channelId,
      perClient: 15,
      intervalMs: 60,
      faultAfterMs: 300,
      settleMs: 30_000,
      db,
      fault: async () => {
        await postgres.stop();
        await new Promise((r) => setTimeout(r, 1000));
        await postgres.start();
      },
    });
    for (const c of clients) c.kill();
    if (result.lost + result.duplicated > 0) console.log(node.output().slice(-4000));

    expect(result.details).toEqual([]);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.stored).toBe(300);
    expect(clients.some((c) => c.reconnects > 0)).toBe(true);
    // The server survived the outage and serves again.
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  }, 120_000);
});
