/**
 * P2 — durable send → every-receiver latency (p50/p99): C clients, messages
 * spread over 50 channels at R msgs/s on real Postgres. A message's latency
 * is from its send until the last client has it. Baseline: the same clients
 * and rate through the bare `ws` broadcast server in the same run. With the
 * default permissions every member watches every channel, so each message
 * reaches all C clients in both runs. The receivers live in worker threads
 * (`lib/p2-receivers.ts`), so this thread only sends and keeps time; the
 * same harness serves both servers.
 */
import WebSocket from 'ws';
import { newId } from '@echora/shared';
import type { Figure } from './lib/figure.ts';
import { connect, cpuProfiled, sendMessage, startEchora, SyncClient } from './lib/echora.ts';
import { nowMs, Receivers } from './lib/p2-receivers.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { register, startProcess } from '@echora/testkit';
import { socketUsers } from './lib/socket-users.ts';
import { cpuSeconds } from './lib/cpu.ts';
import { percentile, round } from './lib/stats.ts';

const CLIENTS = Number(process.env.P2_CLIENTS ?? 1000);
const CHANNELS = Number(process.env.P2_CHANNELS ?? 50);
const RATE = Number(process.env.P2_RATE ?? 200);
const SECONDS = Number(process.env.P2_SECONDS ?? 5);
/** Sockets that send, round robin, in the measuring thread; they are not receivers. */
const SENDERS = Number(process.env.P2_SENDERS ?? 10);
/** Worker threads holding the receiving sockets. */
const THREADS = Number(process.env.P2_THREADS ?? 2);
/** A folder for the Echora server's CPU profile (`--cpu-prof`), when set. */
const PROFILE = process.env.P2_CPU_PROF;

/**
 * Sends `total` messages at RATE and resolves with each one's latency once
 * every receiver has it (or fails 120 s after the last send: on a loaded
 * machine 1,000 clients take tens of seconds to drain).
 */
async function drive(
  receivers: Receivers,
  total: number,
  serverPid: number | undefined,
  send: (i: number) => void,
): Promise<Run> {
  const sentAt = new Float64Array(total);
  const latencies: number[] = [];
  const all = new Promise<void>((resolve) =>
    receivers.listen((i, at) => {
      latencies.push(at - (sentAt[i] ?? 0));
      if (latencies.length === total) resolve();
    }),
  );
  const cpu0 = { server: serverPid ? cpuSeconds(serverPid) : 0, bench: cpuSeconds(process.pid) };
  const started = nowMs();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt[i] = nowMs();
    send(i);
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timer = setTimeout(r, 120_000)));
  await Promise.race([all, late]);
  clearTimeout(timer);
  if (latencies.length < total)
    throw new Error(`P2: only ${latencies.length}/${total} messages reached everyone`);
  const seconds = (nowMs() - started) / 1000;
  return {
    latencies,
    seconds,
    serverCpu: (serverPid ? cpuSeconds(serverPid) : 0) - cpu0.server,
    benchCpu: cpuSeconds(process.pid) - cpu0.bench,
  };
}

/** A run's latencies, its length and the CPU seconds the server and the bench (all threads) used. */
interface Run {
  latencies: number[];
  seconds: number;
  serverCpu: number;
  benchCpu: number;
}

const cpuNote = (name: string, r: Run) =>
  `${name}: ${round(r.seconds, 1)} s, server CPU ${round(r.serverCpu, 1)} s, bench CPU ${round(r.benchCpu, 1)} s`;

const content = (i: number) => `p2 ${i} ${'x'.repeat(100)}`;

async function baseline(total: number): Promise<Run> {
  const server = await startProcess({
    args: ['bench/baselines/ws-broadcast.ts'],
    ready: /listening (\d+)/,
  });
  const url = `ws://127.0.0.1:${server.match[1]}`;
  const senders: WebSocket[] = [];
  let receivers: Receivers | undefined;
  try {
    receivers = await Receivers.start(url, CLIENTS, total, THREADS);
    for (let s = 0; s < SENDERS; s++) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      senders.push(ws);
      await new Promise((r) => ws.once('open', r));
    }
    return await drive(receivers, total, server.child.pid, (i) =>
      senders[i % senders.length]?.send(JSON.stringify({ content: content(i) })),
    );
  } finally {
    for (const s of senders) s.terminate();
    await receivers?.stop();
    await server.stop();
  }
}

async function echora(total: number): Promise<Run> {
  const db = await createBenchDatabase();
  const server = await startEchora({}, db.url, PROFILE ? cpuProfiled(PROFILE) : {});
  const clients: SyncClient[] = [];
  let receivers: Receivers | undefined;
  try {
    const owner = await register(server.url, 'p2owner');
    const tokens = socketUsers(server.url, 'p2user', owner.accessToken);
    // The owner records its frames (to read its answers) and leaves once the channels exist.
    const admin = new SyncClient(server.syncUrl, { perMessageDeflate: false });
    await admin.auth({ token: await tokens() });
    await admin.synced();
    const channels = [admin.channels.get('text:general') ?? ''];
    for (let c = 1; c < CHANNELS; c++) {
      const id = newId();
      channels.push(id);
      const answer = await admin.mutate('channel.create', { id, kind: 'text', name: `p2-${c}` });
      if (answer.type !== 'ack')
        throw new Error(`P2: channel.create refused: ${answer.error.message}`);
    }
    await admin.close();
    // Connect after the channels exist so each client's catch-up includes them.
    const receiving = await Promise.all(Array.from({ length: CLIENTS }, () => tokens()));
    receivers = await Receivers.start(server.syncUrl, receiving, total, THREADS);
    for (let s = 0; s < SENDERS; s++) clients.push(await connect(server.syncUrl, await tokens()));
    const senders = clients;
    return await drive(receivers, total, server.child.pid, (i) => {
      const sender = senders[i % senders.length];
      const channel = channels[i % channels.length];
      if (sender && channel) sendMessage(sender, channel, content(i));
    });
  } finally {
    for (const c of clients) c.ws.terminate();
    await receivers?.stop();
    await server.stop();
    await db.drop();
  }
}

export async function p2(): Promise<Figure[]> {
  const total = RATE * SECONDS;
  const base = await baseline(total);
  const value = await echora(total);
  process.stdout.write(`P2 ${cpuNote('Echora', value)}; ${cpuNote('bare', base)}\n`);
  const what = `${CLIENTS} clients (${THREADS} receiving threads), ${CHANNELS} channels, ${RATE} msgs/s for ${SECONDS} s`;
  return [50, 99].map((p) => ({
    id: 'P2',
    name: `send→every-receiver latency p${p}, ${what} (durable, Postgres)`,
    value: percentile(value.latencies, p),
    unit: 'ms',
    baselineName: 'bare ws broadcast',
    baseline: percentile(base.latencies, p),
    better: 'lower' as const,
    notes: `${cpuNote('Echora', value)}; ${cpuNote('bare', base)}`,
  }));
}
