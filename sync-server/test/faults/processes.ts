import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A free TCP port on 127.0.0.1 (for servers that cannot be told to pick port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A sync-server process started with `node --import tsx` so its pid is the server itself. */
export interface ServerNode {
  proc: ChildProcess;
  url: string;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** kill -9. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/** Env shared by nodes of one test: fresh secret, data dir, high limits so traffic is not throttled. */
export function nodeEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PORT: '0',
    BIND_ADDR: '127.0.0.1:0',
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: join(tmpdir(), `echora-fault-${randomBytes(4).toString('hex')}`),
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    SEND_RATE_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT: '1000000',
    ...extra,
  };
}

/**
 * Starts `sync-server/src/server.ts` (or the node arguments in `args`, e.g. a
 * compiled server) and resolves at Fastify's "Server listening at" line.
 */
export function startNode(
  env: Record<string, string>,
  args: string[] = ['--import', 'tsx', SERVER],
): Promise<ServerNode> {
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`node did not start:\n${out.slice(-3000)}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      // Keep the tail only: a long test logs a lot.
      out = (out + chunk.toString()).slice(-20_000);
      const m = /Server listening at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (!m?.[1]) return;
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      proc.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
      resolve({
        proc,
        url: m[1],
        output: () => out,
        async kill() {
          if (alive()) proc.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (alive()) proc.kill('SIGTERM');
          await exited;
        },
      });
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
}

/** A Postgres cluster of this test alone, so restarting it disturbs no other test file. */
export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

const asPostgres = (cmd: string, args: string[]) =>
  run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args]);

/**
 * initdb + pg_ctl on a free port in a temporary folder, run as the `postgres`
 * user (root may not run postgres). fsync is off: the test restarts the
 * server cleanly, it does not pull the plug on the disk.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'echora-pg-'));
  chownSync(dir, ...(await postgresIds()));
  const data = join(dir, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  };
  const stop = async () => {
    await asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return [Number(uid.trim()), Number(gid.trim())];
}

/** A Redis server of this test alone, without persistence, that can be stopped and started. */
export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** `redis-server --port <free> --save "" --appendonly no`. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      proc = child;
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis exited with ${code}: ${out}`)));
    });
  const stop = async () => {
    const child = proc;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

/** Registers a user over HTTP and returns its id and access token. */
export async function registerOver(
  url: string,
  username: string,
): Promise<{ id: string; token: string }> {
  const res = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'correct horse battery' }),
  });
  if (res.status !== 201)
    throw new Error(`register ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string }; accessToken: string };
  return { id: body.user.id, token: body.accessToken };
}
