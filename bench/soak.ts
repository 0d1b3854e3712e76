/**
 * Soak (not part of `npm run bench` or the tests): SOAK_CLIENTS (1,000)
 * connected clients with steady traffic (SOAK_RATE msgs/s, 20) for
 * SOAK_SECONDS (600). Every SOAK_REPORT_S (30) seconds it prints the server's
 * RSS and the worst stall seen since the last line: the longest a `ping` from
 * a probe socket (sent every 50 ms, from a process of its own: soak-probe.ts)
 * waited for its `pong`, which bounds the server's event-loop stalls from
 * above; beside it the frames the clients received, this process's own lag
 * and the machine's load, to tell a slow server from a slow harness. Exits 1 if a stall passed 100 ms or
 * RSS grew more than SOAK_MAX_GROWTH_MB (64) from the first report to the last.
 *
 *   npx tsx bench/soak.ts                  # PGlite, 10 minutes
 *   SOAK_SECONDS=60 DATABASE=pg npx tsx bench/soak.ts
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Figure } from './lib/figure.ts';
import { connect, sendMessage, startEchora, type SyncClient } from './lib/echora.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { register, startProcess } from '@echora/testkit';
import { rssOf } from './lib/rss.ts';

const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 1000);
const RATE = Number(process.env.SOAK_RATE ?? 20);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const REPORT_S = Number(process.env.SOAK_REPORT_S ?? 30);
const MAX_GROWTH_MB = Number(process.env.SOAK_MAX_GROWTH_MB ?? 64);

const db = process.env.DATABASE === 'pg' ? await createBenchDatabase() : undefined;
const server = await startEchora({}, db?.url);
const clients: SyncClient[] = [];
try {
  const user = await register(server.url, 'soakuser');
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = Array.from({ length: Math.min(100, CLIENTS - i) }, () =>
      connect(server.syncUrl, user.accessToken),
    );
    clients.push(...(await Promise.all(batch)));
  }
  const general = clients[0]?.channels.get('text:general') ?? '';
  // The probe runs in its own process: this one is busy with the clients' frames.
  const probe = await startProcess({
    args: ['bench/soak-probe.ts'],
    ready: /probe ready/,
    env: {
      PROBE_WS: server.syncUrl,
      PROBE_TOKEN: user.accessToken,
      SOAK_REPORT_S: String(REPORT_S),
    },
  });
  let worst = 0;
  let worstEver = 0;
  probe.child.stdout?.on('data', (chunk: Buffer) => {
    for (const m of chunk.toString().matchAll(/probe worst=([\d.]+)/g))
      worst = Math.max(worst, Number(m[1]));
  });
  // This process's own lag: when it is high, the clients (not the server) fall behind.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let received = 0;
  for (const c of clients) c.ws.on('message', () => (received += 1));
  let n = 0;
  const sender = setInterval(() => {
    const c = clients[n % clients.length];
    if (c) sendMessage(c, general, `soak ${n++} ${'x'.repeat(200)}`);
  }, 1000 / RATE);
  const pid = server.child.pid ?? 0;
  const rss: number[] = [];
  console.log(`soak: ${CLIENTS} clients, ${RATE} msgs/s, ${SECONDS} s`);
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, Math.min(REPORT_S * 1000, SECONDS * 1000)));
    const mb = rssOf(pid) / 2 ** 20;
    rss.push(mb);
    worstEver = Math.max(worstEver, worst);
    console.log(
      `t=${Math.round((Date.now() - started) / 1000)}s rss=${mb.toFixed(1)} MiB max stall=${worst.toFixed(1)} ms sent=${n} ` +
        `frames received=${received} harness lag p99=${(lag.percentile(99) / 1e6).toFixed(1)} ms load=${loadavg()[0]?.toFixed(1)}`,
    );
    worst = 0;
    lag.reset();
  }
  clearInterval(sender);
  await probe.stop();
  const growth = (rss.at(-1) ?? 0) - (rss[0] ?? 0);
  const summary: Pick<Figure, 'name' | 'value' | 'unit'>[] = [
    { name: 'max stall', value: worstEver, unit: 'ms' },
    { name: 'rss growth first→last report', value: growth, unit: 'MiB' },
  ];
  for (const s of summary) console.log(`${s.name}: ${s.value.toFixed(1)} ${s.unit}`);
  if (worstEver > 100 || growth > MAX_GROWTH_MB) process.exitCode = 1;
} finally {
  for (const c of clients) c.ws.terminate();
  await server.stop();
  await db?.drop();
}
