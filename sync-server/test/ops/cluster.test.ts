/**
 * `npm run cluster` as an operator runs it: the compiled cluster starts two
 * nodes behind its load balancer and the SFU, serves the API through the
 * balancer, restarts the nodes one by one on SIGHUP, and stops on SIGTERM.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createPgTestDatabase } from '../helpers/db.ts';
import { freePort, register } from '@echora/testkit';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

it('starts, answers through the balancer, restarts nodes in turn, and stops', async () => {
  await run(process.execPath, ['scripts/build-server.mjs'], { cwd: ROOT });
  const database = await createPgTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'echora-cluster-'));
  const [port, sfuPort] = [await freePort(), await freePort()];
  const cluster = spawn(process.execPath, [join(ROOT, 'sync-server/dist/cluster.js')], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `echora_cluster_${randomUUID()}:`,
      DATA_DIR: dataDir,
      PORT: String(port),
      SFU_PORT: String(sfuPort),
      SHUTDOWN_DRAIN_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const look = () => {
        if (pattern.test(out)) {
          cluster.stdout.off('data', look);
          resolve();
        }
      };
      cluster.stdout.on('data', look);
      cluster.once('exit', (code) =>
        reject(new Error(`cluster exited (${code}):\n${out.slice(-3000)}`)),
      );
      look();
    });
  cluster.stdout.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-50_000)));
  cluster.stderr.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-50_000)));
  const exited = new Promise<number | null>((resolve) => cluster.once('exit', resolve));
  try {
    await waitFor(/Echora cluster is running at http:\/\/127\.0\.0\.1:\d+/);
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const { accessToken: token } = await register(url, 'clustered');
    const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    await waitFor(/sfu: listening on/);
    expect((await fetch(`http://127.0.0.1:${sfuPort}/health`)).status).toBe(200);

    cluster.kill('SIGHUP');
    await waitFor(/node2 restarted at/);
    expect(out).toMatch(/node1 restarted at/);
    const again = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);

    cluster.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (cluster.exitCode === null) cluster.kill('SIGKILL');
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}, 180_000);
