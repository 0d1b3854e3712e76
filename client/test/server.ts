import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

/** The Postgres server tests create their own databases on. */
const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REPO_ROOT = resolve(import.meta.dirname, '../..');
// Generous: on a loaded 2-core machine tsx plus PGlite can take a minute to come up.
const START_TIMEOUT_MS = 150_000;

export type DbKind = 'pg' | 'pglite';

export interface Account {
  user: { id: string; username: string; isOwner: boolean };
  accessToken: string;
}

/** A real sync-server process on a free port, with its own database. */
export interface TestServer {
  kind: DbKind;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** ws://127.0.0.1:PORT/api/sync */
  syncUrl: string;
  register(username: string): Promise<Account>;
  stop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Reads the child's log lines until Fastify says where it listens. */
function listeningOrigin(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise((resolveOrigin, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start:\n${output.join('')}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      const match = /Server listening at (http:\/\/[^\s"]+)/.exec(output.join(''));
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolveOrigin(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });
}

/**
 * Starts `sync-server/src/server.ts` with tsx on port 0, on a fresh Postgres
 * database or a PGlite folder in a temp dir. `stop` kills it and drops both.
 */
export async function startServer(kind: DbKind): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'echora-client-test-'));
  const dbName = `echora_t_${randomBytes(6).toString('hex')}`;
  let databaseUrl: string | undefined;
  if (kind === 'pg') {
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), ['sync-server/src/server.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ECHORA_SKIP_BUILD: '1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      REGISTRATION: 'open',
      AUTH_RATE_LIMIT: '100000',
      // The catch-up test sends 500 messages from one user in seconds.
      SEND_RATE_PER_MINUTE: '100000',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const cleanup = async () => {
    await rm(dataDir, { recursive: true, force: true });
    if (kind === 'pg') await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  };
  let origin: string;
  try {
    origin = await listeningOrigin(child, output);
  } catch (error) {
    child.kill('SIGKILL');
    await cleanup();
    throw error;
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    kind,
    origin,
    syncUrl: `${origin.replace(/^http/, 'ws')}/api/sync`,
    async register(username) {
      const response = await fetch(`${origin}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'correct horse battery staple' }),
      });
      if (response.status !== 201)
        throw new Error(`register ${username}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Account;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      await cleanup();
    },
  };
}
