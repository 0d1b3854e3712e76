/**
 * P3 — server memory per idle authenticated sync socket (RSS growth / N),
 * against the same number of idle sockets on the bare `ws` server in the same
 * run. N defaults to 2,000 (P3_SOCKETS=10000 for the full figure; both ends
 * need that many file descriptors: check `ulimit -n`).
 */
import WebSocket from 'ws';
import type { Figure } from './lib/figure.ts';
import { connect, startEchora, type SyncClient } from './lib/echora.ts';
import type { ChildProcess } from 'node:child_process';
import { register, startProcess } from '@echora/testkit';
import { pause, rssOf } from './lib/rss.ts';

const SOCKETS = Number(process.env.P3_SOCKETS ?? 2000);

async function growth(
  proc: { child: ChildProcess },
  open: () => Promise<{ close(): void }[]>,
): Promise<number> {
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error('P3: no pid');
  // A first round opens and closes N sockets, so the heap has already grown to
  // that size once and what the second round adds is the sockets themselves.
  for (const s of await open()) s.close();
  await pause(2000);
  const before = rssOf(pid);
  const sockets = await open();
  await pause(2000);
  const after = rssOf(pid);
  for (const s of sockets) s.close();
  return (after - before) / SOCKETS / 1024;
}

async function baseline(): Promise<number> {
  const server = await startProcess({
    args: ['bench/baselines/ws-broadcast.ts'],
    ready: /listening (\d+)/,
  });
  const url = `ws://127.0.0.1:${server.match[1]}`;
  try {
    return await growth(server, async () => {
      const sockets: WebSocket[] = [];
      for (let i = 0; i < SOCKETS; i++) {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        sockets.push(ws);
        await new Promise((r) => ws.once('open', r));
      }
      return sockets.map((ws) => ({ close: () => ws.terminate() }));
    });
  } finally {
    await server.stop();
  }
}

async function echora(): Promise<number> {
  const server = await startEchora();
  try {
    const user = await register(server.url, 'p3user');
    const kb = await growth(server, async () => {
      const clients: SyncClient[] = [];
      for (let i = 0; i < SOCKETS; i += 100) {
        const batch = Array.from({ length: Math.min(100, SOCKETS - i) }, () =>
          connect(server.syncUrl, user.accessToken),
        );
        clients.push(...(await Promise.all(batch)));
      }
      return clients.map((c) => ({ close: () => c.ws.terminate() }));
    });
    return kb;
  } finally {
    await server.stop();
  }
}

export async function p3(): Promise<Figure[]> {
  const base = await baseline();
  const value = await echora();
  return [
    {
      id: 'P3',
      name: `server memory per idle authenticated socket, ${SOCKETS} sockets (RSS growth)`,
      value,
      unit: 'KiB',
      baselineName: 'bare ws, idle sockets',
      baseline: base,
      better: 'lower',
    },
  ];
}
