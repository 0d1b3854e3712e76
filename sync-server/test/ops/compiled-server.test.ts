/**
 * `npm start` runs the compiled server: scripts/build-server.mjs bundles it to
 * plain JavaScript, and `node sync-server/dist/server.js` (no tsx, no loader)
 * starts on PGlite, migrates, logs JSON lines when stdout is a pipe and
 * answers /healthz.
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEnv } from '../faults/processes.ts';
import { startServer, type TestServer } from '@echora/testkit';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMPILED = fileURLToPath(new URL('../../dist/server.js', import.meta.url));

describe('the compiled server', () => {
  let node: TestServer | undefined;
  const env = nodeEnv({ NODE_ENV: 'production' });

  beforeAll(async () => {
    await run(process.execPath, ['scripts/build-server.mjs'], { cwd: ROOT });
    node = await startServer({ env, args: [COMPILED] });
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await rm(env.DATA_DIR ?? '', { recursive: true, force: true });
  });

  it('is plain JavaScript with the shared package compiled in', async () => {
    const source = await readFile(COMPILED, 'utf8');
    expect(source).not.toMatch(/from\s+["'][^"']+\.ts["']/);
    expect(source).not.toMatch(/["']@echora\/shared/);
    expect(node?.child.spawnargs.slice(1)).toEqual([COMPILED]);
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${node?.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${node?.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('logs one JSON object per line when stdout is not a terminal', () => {
    const lines = (node?.output() ?? '').split('\n').filter((line) => line.trim());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.some((line) => line.includes('Server listening at'))).toBe(true);
  });

  it('on a terminal, first says where to open the app, in readable lines', async () => {
    const tty = nodeEnv({ NODE_ENV: 'production' });
    // script(1) gives the server a pseudo-terminal as stdout.
    const proc = spawn('script', ['-qfec', `${process.execPath} ${COMPILED}`, '/dev/null'], {
      env: { ...process.env, ...tty },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        proc.once('exit', () => reject(new Error(`exited early:\n${out}`)));
        proc.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (/Echora is running at/.test(out)) resolve();
        });
      });
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
      const first = plain.split(/\r?\n/).find((line) => line.trim()) ?? '';
      expect(first).toMatch(/INFO.*Echora is running at http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.trim().startsWith('{')).toBe(false);
    } finally {
      if (proc.pid) process.kill(-proc.pid, 'SIGTERM');
      await exited;
      await rm(tty.DATA_DIR ?? '', { recursive: true, force: true });
    }
  });
});
