/**
 * P2 — durable send → every-receiver latency (p50/p99): C clients, messages
 * spread over 50 channels at R msgs/s on real Postgres. A message's latency
 * is from its send until the last client has it. Baseline: the same clients
 * and rate through the bare `ws` broadcast server in the same run. With the
 * default permissions every member watches every channel, so each message
 * reaches all C clients in both runs.
 */
import WebSocket from 'ws';
import { newId } from '@echora/shared';
import type { Figure } from './lib/figure.ts';
import { connect, sendMessage, startEchora, type SyncClient } from './lib/echora.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { register, startProcess } from '@echora/testkit';
import { socketUsers } from './lib/socket-users.ts';
import { percentile } from './lib/stats.ts';

const CLIENTS = Number(process.env.P2_CLIENTS ?? 300);
const CHANNELS = Number(process.env.P2_CHANNELS ?? 50);
const RATE = Number(process.env.P2_RATE ?? 200);
const SECONDS = Number(process.env.P2_SECONDS ?? 5);
const TAG = /"content":"p2 (\d+) /g;

/** Tracks when each message reached its last receiver. */
class Arrivals {
  readonly sentAt = new Map<number, number>();
  private readonly counts = new Map<number, number>();
  readonly latencies: number[] = [];
  constructor(private readonly receivers: number) {}
  got(i: number): void {
    const n = (this.counts.get(i) ?? 0) + 1;
    this.counts.set(i, n);
    const at = this.sentAt.get(i);
    if (n === this.receivers && at !== undefined) this.latencies.push(performance.now() - at);
  }
}

/** Sends `total` messages at RATE and waits until all arrived everywhere (or 60 s). */
async function drive(arrivals: Arrivals, total: number, send: (i: number) => void): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    arrivals.sentAt.set(i, performance.now());
    send(i);
  }
  const deadline = Date.now() + 60_000;
  while (arrivals.latencies.length < total && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  if (arrivals.latencies.length < total)
    throw new Error(`P2: only ${arrivals.latencies.length}/${total} messages reached everyone`);
}

async function baseline(total: number): Promise<number[]> {
  const server = await startProcess({
    args: ['bench/baselines/ws-broadcast.ts'],
    ready: /listening (\d+)/,
  });
  const url = `ws://127.0.0.1:${server.match[1]}`;
  const arrivals = new Arrivals(CLIENTS);
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('message', (d: Buffer) => arrivals.got((JSON.parse(d.toString()) as { i: number }).i));
      sockets.push(ws);
      await new Promise((r) => ws.once('open', r));
    }
    const pub = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(pub);
    await new Promise((r) => pub.once('open', r));
    await drive(arrivals, total, (i) => pub.send(JSON.stringify({ i, content: 'x'.repeat(100) })));
    return arrivals.latencies;
  } finally {
    for (const s of sockets) s.terminate();
    await server.stop();
  }
}

async function echora(total: number): Promise<number[]> {
  const db = await createBenchDatabase();
  const server = await startEchora({}, db.url);
  const clients: SyncClient[] = [];
  try {
    const owner = await register(server.url, 'p2owner');
    const tokens = socketUsers(server.url, 'p2user', owner.accessToken);
    let answered = 0;
    let refused = '';
    const admin = await connect(server.syncUrl, await tokens(), (raw) => {
      if (raw.startsWith('{"type":"ack"')) answered += 1;
      else if (raw.startsWith('{"type":"reject"')) refused ||= raw;
    });
    clients.push(admin);
    const channels = [admin.channels.get('text:general') ?? ''];
    for (let c = 1; c < CHANNELS; c++) {
      const id = newId();
      admin.ws.send(
        JSON.stringify({
          type: 'mutate',
          seq: admin.nextSeq++,
          name: 'channel.create',
          args: { id, kind: 'text', name: `p2-${c}` },
        }),
      );
      channels.push(id);
    }
    const arrivals = new Arrivals(CLIENTS);
    const onFrame = (raw: string) => {
      if (!raw.startsWith('{"type":"changes"')) return;
      // A group-committed batch sends a channel's messages in one frame.
      for (const m of raw.matchAll(TAG)) if (m[1]) arrivals.got(Number(m[1]));
    };
    // Connect once the channels exist (acknowledged, not after a second), so
    // each client's catch-up includes them: a channel that appears later is
    // bootstrapped with a `reset`, whose messages are not counted below (the
    // likely cause of a run at load 11 that ended "only 241/400 messages
    // reached everyone").
    for (const end = Date.now() + 60_000; answered < CHANNELS - 1 && !refused;) {
      if (Date.now() > end) throw new Error(`P2: ${answered}/${CHANNELS - 1} channels created`);
      await new Promise((r) => setTimeout(r, 10));
    }
    if (refused) throw new Error(`P2: a channel was refused: ${refused}`);
    for (let i = 0; i < CLIENTS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, CLIENTS - i) }, async () =>
          connect(server.syncUrl, await tokens(), onFrame),
        ),
      );
      clients.push(...batch);
    }
    const senders = clients.slice(1);
    await drive(arrivals, total, (i) => {
      const sender = senders[i % senders.length];
      const channel = channels[i % channels.length];
      if (sender && channel) sendMessage(sender, channel, `p2 ${i} ${'x'.repeat(100)}`);
    });
    return arrivals.latencies;
  } finally {
    for (const c of clients) c.ws.terminate();
    await server.stop();
    await db.drop();
  }
}

export async function p2(): Promise<Figure[]> {
  const total = RATE * SECONDS;
  const base = await baseline(total);
  const value = await echora(total);
  const what = `${CLIENTS} clients, ${CHANNELS} channels, ${RATE} msgs/s for ${SECONDS} s`;
  return [50, 99].map((p) => ({
    id: 'P2',
    name: `send→every-receiver latency p${p}, ${what} (durable, Postgres)`,
    value: percentile(value, p),
    unit: 'ms',
    baselineName: 'bare ws broadcast',
    baseline: percentile(base, p),
    better: 'lower' as const,
  }));
}
