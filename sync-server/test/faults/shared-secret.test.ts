/**
 * Two real server processes on one Postgres database, each with its own data
 * folder and no JWT_SECRET: the key is generated once and shared through the
 * database, so a token signed by node 1 is accepted by node 2 (behind a load
 * balancer a client lands on either).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase } from '../helpers/db.ts';
import { nodeEnv } from './processes.ts';
import { register, startServer, type TestServer } from '@echora/testkit';

describe('nodes without a configured secret', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  const nodes: TestServer[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    database = await createPgTestDatabase();
    for (let i = 0; i < 2; i++) {
      const env = nodeEnv({ DATABASE_URL: database.url });
      dirs.push(env.DATA_DIR ?? '');
      // One after the other: the second reads what the first generated.
      nodes.push(await startServer({ env: { ...env, JWT_SECRET: undefined } }));
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await database?.drop();
    for (const dir of dirs) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('accept each other’s access tokens', async () => {
    const [one, two] = nodes as [TestServer, TestServer];
    const {
      user: { id },
      accessToken: token,
    } = await register(one.url, 'roamer');
    const me = await fetch(`${two.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(id);
  });
});
