/**
 * Measures how much one member can grow the server's memory with `history`
 * requests (the figure behind `hostile-member.test.ts`):
 * `npx tsx sync-server/test/attack/measure-rss.ts paused|reading|slow [requests]`
 * (`CHAR=€` for 3-byte characters). Starts a server on PGlite, fills a
 * channel with 100 messages of 4000 characters, then one socket sends the
 * requests and reads nothing, reads as fast as it can, or reads slowly (a
 * 5 ms pause after each frame, like a busy browser tab), and prints the
 * server's peak RSS growth over the next 10 s.
 */
import { readFileSync } from 'node:fs';
import { SyncClient } from '../helpers/sync-client.ts';
import { nodeEnv } from '../faults/processes.ts';
import { register, startServer } from '@echora/testkit';

const modes = ['paused', 'reading', 'slow'] as const;
const mode = modes.find((m) => m === process.argv[2]) ?? 'paused';
const requests = Number(process.argv[3] ?? 400);

const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const node = await startServer({ env: nodeEnv({}) });
const pid = node.child.pid ?? 0;
try {
  const owner = await register(node.url, 'owner');
  const attacker = await register(node.url, 'attacker');
  const o = await (await SyncClient.connect(node.url, { token: owner.accessToken })).synced();
  const channelId = [...o.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';
  const content = (process.env.CHAR ?? 'x').repeat(4000);
  await o.mutateMany(
    'message.send',
    Array.from({ length: 100 }, () => ({ id: crypto.randomUUID(), channelId, content })),
  );
  await o.close();
  const a = await (await SyncClient.connect(node.url, { token: attacker.accessToken })).synced();
  if (mode === 'paused') a.ws.pause();
  if (mode === 'slow') {
    a.ws.on('message', () => {
      a.ws.pause();
      setTimeout(() => a.ws.resume(), 5);
    });
  }
  const before = rssMb(pid);
  let peak = before;
  for (let i = 0; i < requests; i++) {
    a.send({ type: 'history', requestId: `r${i}`, channelId, before: null, limit: 100 });
  }
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    peak = Math.max(peak, rssMb(pid));
    await new Promise((r) => setTimeout(r, 50));
  }
  const pages = a.frames.filter((f) => f.type === 'history').length;
  console.log(
    JSON.stringify({
      mode,
      requests,
      rssBeforeMb: Math.round(before),
      rssPeakMb: Math.round(peak),
      growthMb: Math.round(peak - before),
      pagesReceived: pages,
    }),
  );
  a.ws.terminate();
} finally {
  await node.kill();
}
