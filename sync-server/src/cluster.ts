/**
 * `npm run cluster`: the compose topology on this machine, without Docker:
 * two sync nodes on one Postgres (DATABASE_URL) and one Redis (REDIS_URL),
 * a small load balancer in front (src/cluster/proxy.ts, on PORT, default
 * 3000) and the SFU (SFU_PORT, default 3001). Runs the compiled servers
 * (`npm run build:server` first; the npm script does). SIGHUP restarts the
 * nodes one after the other (a rolling restart); SIGINT/SIGTERM stops all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProxy } from './cluster/proxy.ts';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
const SFU = fileURLToPath(new URL('../../sfu/dist/server.js', import.meta.url));

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const databaseUrl = process.env.DATABASE_URL?.trim();
const redisUrl = process.env.REDIS_URL?.trim();
if (!databaseUrl || !redisUrl) {
  fail('npm run cluster needs DATABASE_URL (Postgres) and REDIS_URL (Redis) shared by its nodes');
}
const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.DATA_DIR?.trim() || './data');

interface Node {
  name: string;
  proc: ChildProcess;
  url: Promise<string>;
}

const nodes: Node[] = [];
let stopping = false;

/** Starts a compiled server on a free port; `url` resolves at its "Server listening at" line. */
function startNode(name: string): Node {
  const proc = spawn(process.execPath, ['--enable-source-maps', SERVER], {
    env: {
      ...process.env,
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      BIND_ADDR: '127.0.0.1:0',
      PORT: '0',
      DATA_DIR: join(dataDir, name),
      TRUST_PROXY: '127.0.0.1',
      SHUTDOWN_DRAIN_MS: process.env.SHUTDOWN_DRAIN_MS ?? '2000',
      SFU_URLS: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = new Promise<string>((found, failed) => {
    let seen = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      seen = (seen + chunk.toString()).slice(-4000);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match?.[1]) found(match[1]);
    });
    proc.once('exit', (code) => {
      failed(new Error(`${name} exited (${code})`));
      if (!stopping && !restarting.has(name)) shutdown(`${name} exited (${code}); stopping.`);
    });
  });
  return { name, proc, url };
}

const restarting = new Set<string>();
const stopped = (proc: ChildProcess) =>
  proc.exitCode !== null || proc.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((done) => proc.once('exit', () => done()));

for (const name of ['node1', 'node2']) nodes.push(startNode(name));
// One after the other would be slower; both start, the migration lock orders them.
const urls = await Promise.all(nodes.map((node) => node.url)).catch((error: Error) =>
  fail(error.message),
);
const proxy = await startProxy({ host: '127.0.0.1', port, upstreams: urls });
// The SFU reads the voice secret node1 mirrored into its data folder, and
// reports voice state through the load balancer (nodes change ports on restart).
const sfu = spawn(process.execPath, ['--enable-source-maps', SFU], {
  env: { ...process.env, DATA_DIR: join(dataDir, 'node1'), SYNC_URL: proxy.url },
  stdio: 'inherit',
});
sfu.once('exit', (code) => {
  if (!stopping) shutdown(`sfu exited (${code}); stopping.`);
});
process.stdout.write(`Echora cluster is running at ${proxy.url} (nodes ${urls.join(', ')})\n`);

async function rollingRestart(): Promise<void> {
  for (const [i, node] of nodes.entries()) {
    restarting.add(node.name);
    node.proc.kill('SIGTERM');
    await stopped(node.proc);
    const fresh = startNode(node.name);
    nodes[i] = fresh;
    restarting.delete(node.name);
    const urls = await Promise.all(nodes.map((n) => n.url));
    proxy.setUpstreams(urls);
    process.stdout.write(`${node.name} restarted at ${urls[i]}\n`);
  }
}

function shutdown(message?: string): void {
  if (stopping) return;
  stopping = true;
  if (message) process.stderr.write(`${message}\n`);
  const children = [...nodes.map((node) => node.proc), sfu];
  for (const child of children) child.kill('SIGTERM');
  void Promise.all(children.map(stopped))
    .then(() => proxy.close())
    .then(() => process.exit(message ? 1 : 0));
}

process.on('SIGHUP', () => void rollingRestart());
process.once('SIGINT', () => shutdown());
process.once('SIGTERM', () => shutdown());
