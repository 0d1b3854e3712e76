/**
 * Soak (not part of `npm run bench` or the tests): SOAK_CLIENTS (1,000)
 * connected clients with steady traffic (SOAK_RATE msgs/s, 20) for
 * SOAK_SECONDS (600). Every SOAK_REPORT_S (30) seconds it prints one line:
 * the ping→pong waits of a probe socket (a `ping` every 50 ms from a process
 * of its own, soak-probe.ts): p99 and the longest, which bounds the server's
 * event-loop stalls from above; the server's RSS, heap used and heap after its
 * last full collection, its own event-loop delay, its GC pauses (scavenges
 * and full collections: count, total, longest) and CPU over the window, read
 * without forcing a collection (`lib/memory-probe.ts` is preloaded, `usage`
 * question); beside them the frames the clients received (a batch is one
 * frame), the share of the sent messages that ten of them saw, the clients the
 * server closed, this process's own
 * lag and the machine's load, to tell a slow server from a slow harness (the
 * sender sends what is due by the clock, so a late tick does not lower the
 * rate). Exits 1 if the p99 of every ping
 * passed 100 ms, RSS or heap after a full collection grew more than
 * SOAK_MAX_GROWTH_MB (64) from the first report to the last (heap: from the
 * first report after a full collection under traffic), a watcher missed
 * a message or the server closed a client.
 *
 *   npx tsx bench/soak.ts                  # PGlite, 10 minutes
 *   SOAK_SECONDS=60 DATABASE=pg npx tsx bench/soak.ts
 *   SOAK_NODE_ARGS="--max-semi-space-size=32" …   # Node flags for the server
 *   SOAK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/soak" …
 *   SOAK_HEAPSNAPSHOT=/tmp/soak …          # server heap snapshots at the first and last report
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { register, startProcess } from '@echora/testkit';
import { cpuSeconds } from './lib/cpu.ts';
import { connect, sendMessage, startEchora, type SyncClient } from './lib/echora.ts';
import { probe, probedArgs, usage } from './lib/memory.ts';
import { createBenchDatabase } from './lib/pg.ts';

const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 1000);
const RATE = Number(process.env.SOAK_RATE ?? 20);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const REPORT_S = Number(process.env.SOAK_REPORT_S ?? 30);
const MAX_GROWTH_MB = Number(process.env.SOAK_MAX_GROWTH_MB ?? 64);
const NODE_ARGS = (process.env.SOAK_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const SNAPSHOTS = process.env.SOAK_HEAPSNAPSHOT;
const MiB = 2 ** 20;

const db = process.env.DATABASE === 'pg' ? await createBenchDatabase() : undefined;
const server = await startEchora({}, db?.url, {
  args: [...NODE_ARGS, ...probedArgs('sync-server/src/server.ts')],
  ipc: true,
});
const clients: SyncClient[] = [];
try {
  const user = await register(server.url, 'soakuser');
  const connecting = Date.now();
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = Array.from({ length: Math.min(100, CLIENTS - i) }, () =>
      connect(server.syncUrl, user.accessToken),
    );
    clients.push(...(await Promise.all(batch)));
  }
  const general = clients[0]?.channels.get('text:general') ?? '';
  // The probe runs in its own process (this one is busy with the clients' frames),
  // as a user of its own: the clients use all of the soak user's sockets (1,000 a user).
  const prober = await register(server.url, 'soakprobe');
  const pinger = await startProcess({
    args: ['bench/soak-probe.ts'],
    ready: /probe ready/,
    env: {
      PROBE_WS: server.syncUrl,
      PROBE_TOKEN: prober.accessToken,
      SOAK_REPORT_S: String(REPORT_S),
    },
  });
  // The probe's last window, and its p99 over every ping so far.
  let pings = { worst: 0, p99: 0, allP99: 0 };
  pinger.child.stdout?.on('data', (chunk: Buffer) => {
    for (const m of chunk
      .toString()
      .matchAll(/probe worst=([\d.]+) p99=([\d.]+) n=\d+ all_p99=([\d.]+)/g))
      pings = { worst: Number(m[1]), p99: Number(m[2]), allP99: Number(m[3]) };
  });
  // This process's own lag: when it is high, the clients (not the server) fall behind.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  // Frames, not messages: a group commit's batch goes out as one frame. Ten
  // watchers count the messages themselves, and every close is counted.
  let received = 0;
  let watched = 0;
  const WATCHERS = Math.min(10, clients.length);
  const closes = new Map<number, number>();
  clients.forEach((c, i) => {
    c.ws.on('message', (data: Buffer) => {
      received += 1;
      if (i < WATCHERS) watched += data.toString().match(/"soak \d+ /g)?.length ?? 0;
    });
    c.ws.on('close', (code: number) => closes.set(code, (closes.get(code) ?? 0) + 1));
  });
  const closed = () => [...closes].map(([code, k]) => `${k}× ${code}`).join(', ') || 'none';
  let n = 0;
  // Sends what the clock says is due: a tick this process was late for does not lower the rate.
  const sendingFrom = performance.now();
  const sender = setInterval(() => {
    const due = Math.floor(((performance.now() - sendingFrom) / 1000) * RATE);
    for (; n < due; n++) {
      const c = clients[n % clients.length];
      if (c) sendMessage(c, general, `soak ${n} ${'x'.repeat(200)}`);
    }
  }, 1000 / RATE);
  const pid = server.child.pid ?? 0;
  const rss: number[] = [];
  const heap: number[] = [];
  let worstEver = 0;
  let worstP99 = 0;
  await usage(server.child); // resets the GC counters: the connects are not the soak
  let cpu = cpuSeconds(pid);
  console.log(
    `soak: ${CLIENTS} clients (connected in ${((Date.now() - connecting) / 1000).toFixed(1)} s), ` +
      `${RATE} msgs/s, ${SECONDS} s, server node ${NODE_ARGS.join(' ') || '(defaults)'}`,
  );
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    // The probe reports on its own clock, a little ahead of this one.
    await new Promise((r) => setTimeout(r, Math.min(REPORT_S * 1000, SECONDS * 1000)));
    const u = await usage(server.child);
    const cpuNow = cpuSeconds(pid);
    rss.push(u.rss / MiB);
    // From the first full collection under traffic on (the one before it followed the connects).
    if (u.major.count > 0 || heap.length > 0) heap.push(u.heapAfterMajor / MiB);
    worstEver = Math.max(worstEver, pings.worst);
    worstP99 = Math.max(worstP99, pings.p99);
    console.log(
      `t=${Math.round((Date.now() - started) / 1000)}s ping p99=${pings.p99.toFixed(1)} max=${pings.worst.toFixed(1)} ms` +
        ` | rss=${(u.rss / MiB).toFixed(1)} heap=${(u.heapUsed / MiB).toFixed(1)} after-full-gc=${(u.heapAfterMajor / MiB).toFixed(1)} MiB` +
        ` | server loop delay p99=${u.loopDelayP99Ms.toFixed(1)} max=${u.loopDelayMaxMs.toFixed(1)} ms` +
        ` | gc minor ${u.minor.count}× ${u.minor.totalMs.toFixed(0)} ms (max ${u.minor.maxMs.toFixed(1)}),` +
        ` full ${u.major.count}× ${u.major.totalMs.toFixed(0)} ms (max ${u.major.maxMs.toFixed(1)})` +
        ` | server cpu ${(((cpuNow - cpu) / REPORT_S) * 100).toFixed(0)}% | sent=${n} frames=${received}` +
        ` watched ${((watched / WATCHERS / Math.max(n, 1)) * 100).toFixed(1)}% closed ${closed()}` +
        ` harness lag p99=${(lag.percentile(99) / 1e6).toFixed(1)} ms load=${loadavg()[0]?.toFixed(1)}`,
    );
    cpu = cpuNow;
    lag.reset();
    if (SNAPSHOTS !== undefined && (rss.length === 1 || Date.now() - started >= SECONDS * 1000))
      console.log(
        `heap snapshot: ${(await probe(server.child, join(SNAPSHOTS, `soak-${rss.length}.heapsnapshot`))).snapshot}`,
      );
  }
  clearInterval(sender);
  await pinger.stop();
  // Every sent message should reach every watcher: wait (at most 30 s) for the last ones.
  for (const end = Date.now() + 30_000; watched < WATCHERS * n && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 100));
  const missing = WATCHERS * n - watched;
  console.log(
    `delivered: ${watched} of ${WATCHERS * n} messages to ${WATCHERS} watchers; clients closed: ${closed()}; ` +
      `server warnings: ${server.warnings().length}`,
  );
  for (const w of server.warnings().slice(0, 3)) console.log(`  ${w.slice(0, 300)}`);
  const rssGrowth = (rss.at(-1) ?? 0) - (rss[0] ?? 0);
  const heapGrowth = (heap.at(-1) ?? 0) - (heap[0] ?? 0);
  const summary = [
    { name: 'ping→pong p99, whole run', value: pings.allP99, unit: 'ms' },
    { name: 'ping→pong p99, worst window', value: worstP99, unit: 'ms' },
    { name: 'ping→pong max', value: worstEver, unit: 'ms' },
    { name: 'rss growth first→last report', value: rssGrowth, unit: 'MiB' },
    { name: 'heap after full gc, growth first→last full gc', value: heapGrowth, unit: 'MiB' },
  ];
  for (const s of summary) console.log(`${s.name}: ${s.value.toFixed(1)} ${s.unit}`);
  const failed =
    pings.allP99 > 100 ||
    rssGrowth > MAX_GROWTH_MB ||
    heapGrowth > MAX_GROWTH_MB ||
    missing > 0 ||
    closes.size > 0;
  if (failed) process.exitCode = 1;
} finally {
  for (const c of clients) c.ws.terminate();
  await server.stop();
  await db?.drop();
}
