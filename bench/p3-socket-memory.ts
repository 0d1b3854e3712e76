/**
 * P3 — server memory per idle authenticated sync socket, against the same
 * number of idle sockets on the bare `ws` server in the same run. Each server
 * runs as a child with `--expose-gc` and the memory probe
 * (`lib/memory-probe.ts`, over IPC): after a warm-up round that opens and
 * closes N sockets, each of `P3_ROUNDS` rounds reads the heap and RSS after
 * forced collections, opens N sockets (Echora's are `synced`), reads them
 * again, and closes them. The figure is the median growth per socket.
 * N defaults to 10,000 (both ends need that many file descriptors: `ulimit -n`).
 */
import WebSocket from 'ws';
import type { ChildProcess } from 'node:child_process';
import { register, startProcess } from '@echora/testkit';
import type { Figure } from './lib/figure.ts';
import { connect, startEchora, type SyncClient } from './lib/echora.ts';
import { probe, probeWhenSockets, probedArgs } from './lib/memory.ts';
import { percentile } from './lib/stats.ts';

const SOCKETS = Number(process.env.P3_SOCKETS ?? 10_000);
const ROUNDS = Number(process.env.P3_ROUNDS ?? 3);
/** The server allows at most 1,000 sockets per user: the sockets are spread over users. */
const PER_USER = 1000;

interface PerSocket {
  /** Median heap growth per socket, KiB. */
  heap: number;
  /** Median RSS growth per socket, KiB. */
  rss: number;
  /** Every round's heap growth per socket, KiB. */
  heapRounds: number[];
}

type Open = () => Promise<{ close(): void }[]>;

async function measure(child: ChildProcess, open: Open): Promise<PerSocket> {
  const t0 = performance.now();
  const log = (what: string) =>
    process.stderr.write(`P3 ${what} ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const idle = (await probe(child)).sockets;
  // The heap grows to hold N sockets once, so the rounds measure the sockets themselves.
  for (const s of await open()) s.close();
  await probeWhenSockets(child, idle);
  const heap: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = await probe(child);
    const sockets = await open();
    const after = await probe(child);
    log(`round ${round} open`);
    for (const s of sockets) s.close();
    await probeWhenSockets(child, idle);
    log(`round ${round} closed`);
    heap.push((after.heapUsed - before.heapUsed) / SOCKETS / 1024);
    rss.push((after.rss - before.rss) / SOCKETS / 1024);
  }
  return { heap: percentile(heap, 50), rss: percentile(rss, 50), heapRounds: heap };
}

async function baseline(): Promise<PerSocket> {
  const server = await startProcess({
    args: probedArgs('bench/baselines/ws-broadcast.ts'),
    ready: /listening (\d+)/,
    ipc: true,
  });
  const url = `ws://127.0.0.1:${server.match[1]}`;
  try {
    return await measure(server.child, async () => {
      const sockets: WebSocket[] = [];
      for (let i = 0; i < SOCKETS; i += 100) {
        const batch = Array.from({ length: Math.min(100, SOCKETS - i) }, async () => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          await new Promise((r, j) => ws.once('open', r).once('error', j));
          return ws;
        });
        sockets.push(...(await Promise.all(batch)));
      }
      return sockets.map((ws) => ({ close: () => ws.terminate() }));
    });
  } finally {
    await server.stop();
  }
}

async function echora(): Promise<PerSocket> {
  const server = await startEchora({}, undefined, {
    args: probedArgs('sync-server/src/server.ts'),
    ipc: true,
  });
  try {
    const tokens: string[] = [];
    for (let u = 0; u * PER_USER < SOCKETS; u++)
      tokens.push((await register(server.url, `p3user${u}`)).accessToken);
    return await measure(server.child, async () => {
      const clients: SyncClient[] = [];
      for (let i = 0; i < SOCKETS; i += 100) {
        const batch = Array.from({ length: Math.min(100, SOCKETS - i) }, (_, k) =>
          connect(server.syncUrl, tokens[Math.floor((i + k) / PER_USER)] ?? ''),
        );
        clients.push(...(await Promise.all(batch)));
      }
      return clients.map((c) => ({ close: () => c.ws.terminate() }));
    });
  } finally {
    await server.stop();
  }
}

export async function p3(): Promise<Figure[]> {
  const base = await baseline();
  const app = await echora();
  const rounds = (p: PerSocket) => p.heapRounds.map((r) => r.toFixed(2)).join(', ');
  const name = (what: string) =>
    `server ${what} per idle authenticated socket, ${SOCKETS} sockets (median of ${ROUNDS}, GC forced)`;
  return [
    {
      id: 'P3',
      name: name('heap'),
      value: app.heap,
      unit: 'KiB',
      baselineName: 'bare ws, idle sockets',
      baseline: base.heap,
      better: 'lower',
      notes: `heap per socket by round: Echora ${rounds(app)}; bare ws ${rounds(base)} KiB`,
    },
    {
      id: 'P3',
      name: name('RSS'),
      value: app.rss,
      unit: 'KiB',
      baselineName: 'bare ws, idle sockets',
      baseline: base.rss,
      better: 'lower',
    },
  ];
}
