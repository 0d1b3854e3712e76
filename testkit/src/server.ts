import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register, type Session } from './auth.ts';
import { createTestDatabase } from './database.ts';
import { freePort, startProcess, type Env, type RunningProcess } from './process.ts';
import { copyPgliteTemplate } from './template.ts';

/**
 * `npm test` compiles the servers once (`scripts/build-server.mjs test-dist`)
 * and sets ECHORA_TEST_COMPILED=1: every test server then runs that
 * JavaScript instead of transpiling the sources again at each start. A test
 * file run on its own (`npx vitest run …`) runs the sources.
 */
const compiled = process.env.ECHORA_TEST_COMPILED === '1';
const SYNC_SERVER = compiled
  ? ['--enable-source-maps', 'sync-server/test-dist/server.js']
  : ['sync-server/src/server.ts'];
const SFU_SERVER = compiled
  ? ['--enable-source-maps', 'sfu/test-dist/server.js']
  : ['sfu/src/server.ts'];

export interface StartServerOptions {
  /**
   * `pglite` (default): PGlite in the data folder. `postgres`: a fresh
   * database made by {@link createTestDatabase} and dropped on `stop()`.
   * `{ url }`: an existing database (nodes of one deployment share it), left in place.
   */
  database?: 'pglite' | 'postgres' | { url: string };
  /**
   * `true` (default): a database of its own (PGlite in a fresh `DATA_DIR`, or
   * `postgres`) starts as a copy of the migrated template, so the server finds
   * no migration to apply. `false`: it starts empty and the server migrates it.
   */
  migrated?: boolean;
  /**
   * Merged over the defaults (port 0, a fresh `DATA_DIR` and `JWT_SECRET`,
   * `LOG_LEVEL=info`, open registration, no Redis): `undefined` removes one.
   * A `DATA_DIR` given here belongs to the caller and is not removed.
   */
  env?: Env;
  /** Node's arguments instead of `--import tsx sync-server/src/server.ts`, e.g. a compiled server. */
  args?: string[];
  /** Also start the SFU, with a free port and a voice secret both processes know. */
  sfu?: boolean;
  /** Output lines kept for `output()` (default 400). */
  logLines?: number;
  /** Opens Node's IPC channel to the server process (benchmarks' probes). */
  ipc?: boolean;
}

/** A sync-server process of one test (and its SFU, when asked for). */
export interface TestServer {
  /** `http://127.0.0.1:PORT`: a literal host, whatever Fastify printed. */
  url: string;
  host: string;
  port: number;
  /** `ws://127.0.0.1:PORT/api/sync` */
  syncUrl: string;
  database: 'pglite' | 'postgres';
  child: RunningProcess['child'];
  /** The last lines the server printed. */
  output(): string;
  /** Every warning or error the server logged (pino level 40 and up), however long ago. */
  warnings(): string[];
  /** Registers `username` here (see {@link register}). */
  register(username: string, password?: string): Promise<Session>;
  sfu: TestSfu | undefined;
  /** SIGTERM (the SFU first), wait, then removes the data folder and a database of its own. */
  stop(): Promise<void>;
  /** SIGKILL, then the same clean-up. */
  kill(): Promise<void>;
}

/**
 * Starts a real sync-server on a free port and resolves once Fastify logs the
 * address it listens on. One process group per server, output kept for
 * failure reports, data removed on stop.
 */
export async function startServer(options: StartServerOptions = {}): Promise<TestServer> {
  const given = options.database ?? 'pglite';
  const database = given === 'pglite' ? 'pglite' : 'postgres';
  const ownDir = options.env?.DATA_DIR === undefined;
  const dataDir = options.env?.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'echora-test-')));
  const migrated = options.migrated ?? true;
  const ownDb =
    given === 'postgres'
      ? await createTestDatabase('echora_t', undefined, { migrated })
      : undefined;
  // Not when the caller's env names a database or a data folder: theirs is used as it is.
  const ownPglite = given === 'pglite' && ownDir && !options.env?.DATABASE_URL;
  if (ownPglite && migrated) await copyPgliteTemplate(join(dataDir, 'pglite'));
  const sfuPort = options.sfu ? await freePort() : undefined;
  const voiceSecret = randomBytes(32).toString('hex');
  const cleanUp = async (): Promise<void> => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    await ownDb?.drop();
  };

  let server: RunningProcess;
  try {
    server = await startProcess({
      name: 'sync-server',
      args: options.args ?? SYNC_SERVER,
      ready: /Server listening at (https?:\/\/[^\s"]+)/,
      ...(options.logLines ? { logLines: options.logLines } : {}),
      ...(options.ipc ? { ipc: true } : {}),
      env: {
        PORT: '0',
        BIND_ADDR: '127.0.0.1:0',
        DATA_DIR: dataDir,
        JWT_SECRET: randomBytes(32).toString('hex'),
        ECHORA_SKIP_BUILD: '1',
        NODE_ENV: 'test',
        // The "Server listening" line is logged at info.
        LOG_LEVEL: 'info',
        REGISTRATION: 'open',
        // Neither a Redis nor a database left in the caller's environment by accident.
        REDIS_URL: undefined,
        DATABASE_URL:
          typeof given === 'object' ? given.url : ownDb === undefined ? undefined : ownDb.url,
        ...(sfuPort === undefined
          ? {}
          : { SFU_PORT: String(sfuPort), VOICE_GRANT_SECRET: voiceSecret }),
        ...options.env,
      },
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }

  const address = new URL(server.match[1] ?? '');
  // Fastify may report `localhost` or an IPv6 address; proxies and sockets want a literal host.
  const host =
    address.hostname === 'localhost' ? '127.0.0.1' : address.hostname.replace(/^\[|\]$/g, '');
  const port = Number(address.port);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let sfu: TestSfu | undefined;
  if (sfuPort !== undefined) {
    try {
      sfu = await startSfu({ port: sfuPort, secret: voiceSecret, syncUrl: url });
    } catch (error) {
      await server.kill();
      await cleanUp();
      throw error;
    }
  }

  const end = async (how: 'stop' | 'kill'): Promise<void> => {
    await sfu?.stop();
    await (how === 'stop' ? server.stop() : server.kill());
    await cleanUp();
  };
  return {
    url,
    host,
    port,
    syncUrl: `ws://${url.slice('http://'.length)}/api/sync`,
    database,
    child: server.child,
    output: server.output,
    warnings: server.warnings,
    register: (username, password) => register(url, username, password),
    sfu,
    stop: () => end('stop'),
    kill: () => end('kill'),
  };
}

/** A real SFU process, as `npm start` runs it beside the sync server. */
export interface TestSfu {
  /** Its signaling URL, as `SFU_URLS` lists it (`ws://127.0.0.1:<port>`). */
  url: string;
  port: number;
  secret: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/**
 * Starts `sfu/src/server.ts` on `port`, reporting to the sync server at
 * `syncUrl` with the voice grant `secret`, and waits until it listens.
 */
export async function startSfu(options: {
  port: number;
  secret: string;
  syncUrl: string;
  env?: Env;
}): Promise<TestSfu> {
  const url = `ws://127.0.0.1:${options.port}`;
  const sfu = await startProcess({
    name: 'sfu',
    args: SFU_SERVER,
    ready: /sfu: listening/,
    timeoutMs: 60_000,
    env: {
      SFU_PORT: String(options.port),
      BIND_ADDR: '127.0.0.1',
      SFU_PUBLIC_URL: url,
      VOICE_GRANT_SECRET: options.secret,
      SYNC_URL: options.syncUrl,
      ...options.env,
    },
  });
  return { url, port: options.port, secret: options.secret, process: sfu, stop: () => sfu.stop() };
}
