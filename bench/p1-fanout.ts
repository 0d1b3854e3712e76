/**
 * P1 — fan-out: deliveries per second to N subscribers of one channel,
 * 300-byte messages, against a bare `ws` broadcast server in the same run.
 * Both servers run as their own process; the subscribers and the publisher
 * share this one.
 */
import WebSocket from 'ws';
import type { Figure } from './lib/figure.ts';
import { connect, sendMessage, startEchora } from './lib/echora.ts';
import { register, startProcess } from '@echora/testkit';
import { socketUsers } from './lib/socket-users.ts';

const SUBSCRIBERS = Number(process.env.P1_SUBSCRIBERS ?? 1000);
const MESSAGES = Number(process.env.P1_MESSAGES ?? 100);
const PAYLOAD = 'x'.repeat(300);

/** Resolves with deliveries/s once every subscriber counted `MESSAGES` deliveries. */
function measure(counters: { count: number }[], publish: (i: number) => void): Promise<number> {
  const total = counters.length * MESSAGES;
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i++) publish(i);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 120_000;
    const poll = setInterval(() => {
      const got = counters.reduce((n, c) => n + c.count, 0);
      if (got >= total) {
        clearInterval(poll);
        resolve((got / (performance.now() - started)) * 1000);
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`P1: only ${got}/${total} deliveries in 120 s`));
      }
    }, 5);
  });
}

async function baseline(): Promise<number> {
  const server = await startProcess({
    args: ['bench/baselines/ws-broadcast.ts'],
    ready: /listening (\d+)/,
  });
  const url = `ws://127.0.0.1:${server.match[1]}`;
  try {
    const counters: { count: number }[] = [];
    const sockets: WebSocket[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const c = { count: 0 };
      ws.on('message', () => c.count++);
      counters.push(c);
      sockets.push(ws);
      await new Promise((r) => ws.once('open', r));
    }
    const pub = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((r) => pub.once('open', r));
    const rate = await measure(counters, (i) => pub.send(JSON.stringify({ i, content: PAYLOAD })));
    for (const s of [...sockets, pub]) s.terminate();
    return rate;
  } finally {
    await server.stop();
  }
}

async function echora(): Promise<number> {
  const server = await startEchora();
  try {
    const owner = await register(server.url, 'p1owner');
    const tokens = socketUsers(server.url, 'p1user', owner.accessToken);
    const counters: { count: number }[] = [];
    const sockets: WebSocket[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const c = { count: 0 };
      const client = await connect(server.syncUrl, await tokens(), (raw) => {
        // Count message upserts without a full parse per frame would be cheating
        // the client side; parse like a real client does.
        const f = JSON.parse(raw) as { type: string; changes?: { entity: string; op: string }[] };
        if (f.type === 'changes')
          for (const ch of f.changes ?? [])
            if (ch.entity === 'message' && ch.op === 'upsert') c.count++;
      });
      counters.push(c);
      sockets.push(client.ws);
    }
    const pub = await connect(server.syncUrl, await tokens());
    const general = pub.channels.get('text:general');
    if (!general) throw new Error('P1: no #general channel');
    // The publisher's own socket also receives; only subscribers are counted.
    const rate = await measure(counters, () => sendMessage(pub, general, PAYLOAD));
    for (const s of [...sockets, pub.ws]) s.terminate();
    return rate;
  } finally {
    await server.stop();
  }
}

export async function p1(): Promise<Figure[]> {
  const base = await baseline();
  const value = await echora();
  return [
    {
      id: 'P1',
      name: `fan-out deliveries/s, ${SUBSCRIBERS} subscribers, ${MESSAGES} × 300 B (durable)`,
      value,
      unit: 'deliveries/s',
      baselineName: 'bare ws broadcast',
      baseline: base,
      better: 'higher',
    },
  ];
}
