/**
 * P18 — notes: C clients typing into one channel's notes, R updates a second
 * each (a one-character insert and the cursor move it makes), through the
 * Echora server (real Postgres: every update checked, rate-limited and stored
 * before it goes out; compaction included) against y-websocket's own server
 * (in memory, no checks) in the same run. Both servers run as their own
 * process; the clients share this one.
 *
 * - update → peer p99: from the sender's send to its arrival at each of O
 *   observer clients, which decode every update they receive (the others
 *   only answer the handshake, to keep this process from being the limit).
 * - server CPU per update: user + system time of the server process from the
 *   start of the measured window until every observer has every update,
 *   divided by the updates sent in the window.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { cpuSeconds } from './lib/cpu.ts';
import { connect, startEchora } from './lib/echora.ts';
import type { Figure } from './lib/figure.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { register, type RunningProcess, startProcess } from '@echora/testkit';
import { percentile, round } from './lib/stats.ts';

const CLIENTS = Number(process.env.P18_CLIENTS ?? 50);
const RATE = Number(process.env.P18_RATE ?? 5);
const SECONDS = Number(process.env.P18_SECONDS ?? 10);
const WARMUP_S = Number(process.env.P18_WARMUP_S ?? 2);
const OBSERVERS = Math.min(CLIENTS, Number(process.env.P18_OBSERVERS ?? 10));
const DRAIN_MS = 20_000;

/** How a typist's y-protocols messages travel: Echora's JSON frames or y-websocket's binary ones. */
interface Wire {
  sendSync(message: Uint8Array): void;
  sendAwareness(update: Uint8Array): void;
  close(): void;
}

interface Run {
  /** Send time of each update by `${client}:${clock}`, only those sent in the window. */
  sent: Map<string, number>;
  measuring: boolean;
  latencies: number[];
  /** Measured updates each observer has received. */
  received: number[];
  refused: number;
}

/** One client: its own Y.Doc (others' edits are not applied: that is client cost, not server). */
class Typist {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('content');
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  wire: Wire | undefined;
  handshook = false;

  constructor(
    readonly index: number,
    private readonly run: Run,
  ) {
    this.awareness.setLocalState({ user: { name: `typist ${index}` } });
    this.doc.on('update', (update: Uint8Array) => {
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, update);
      this.wire?.sendSync(encoding.toUint8Array(encoder));
    });
    this.awareness.on('update', ({ updated }: { updated: number[] }) => {
      this.wire?.sendAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, updated));
    });
  }

  /** Ends the awareness's outdated-state timer (an interval per Awareness: it held `npm run bench` open). */
  close(): void {
    this.wire?.close();
    this.wire = undefined; // destroy() clears the local state: nothing is sent
    this.awareness.destroy();
    this.doc.destroy();
  }

  get observer(): boolean {
    return this.index < OBSERVERS;
  }

  type(): void {
    const key = `${this.doc.clientID}:${Y.getState(this.doc.store, this.doc.clientID)}`;
    if (this.run.measuring) this.run.sent.set(key, performance.now());
    const at = Math.floor(Math.random() * (this.text.length + 1));
    this.text.insert(at, String.fromCharCode(97 + (this.index % 26)));
    this.awareness.setLocalStateField('cursor', { anchor: at + 1 });
  }

  /** A y-protocols sync message from the server. */
  onSync(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const kind = decoding.readVarUint(decoder);
    if (kind === syncProtocol.messageYjsSyncStep1) {
      const encoder = encoding.createEncoder();
      syncProtocol.writeSyncStep2(encoder, this.doc, decoding.readVarUint8Array(decoder));
      this.wire?.sendSync(encoding.toUint8Array(encoder));
      this.handshook = true;
      return;
    }
    if (!this.observer || !this.run.measuring) return;
    const now = performance.now();
    const update = decoding.readVarUint8Array(decoder);
    for (const struct of Y.decodeUpdate(update).structs) {
      const at = this.run.sent.get(`${struct.id.client}:${struct.id.clock}`);
      if (at === undefined || struct.id.client === this.doc.clientID) continue;
      this.run.latencies.push(now - at);
      this.run.received[this.index] = (this.run.received[this.index] ?? 0) + 1;
    }
  }
}

const until = async (check: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`P18: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Types for the warm-up and the window, then waits for the observers to have everything. */
async function drive(typists: Typist[], run: Run, pid: number) {
  await until(() => typists.every((t) => t.handshook), 30_000, 'every handshake');
  const period = 1000 / RATE;
  const timers: NodeJS.Timeout[] = [];
  // Spread the typists over the period so the load is even.
  for (const t of typists) {
    timers.push(
      setTimeout(
        () => timers.push(setInterval(() => t.type(), period)),
        (t.index * period) / typists.length,
      ),
    );
  }
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  run.measuring = true;
  const cpu0 = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  for (const timer of timers) clearInterval(timer);
  const updates = run.sent.size;
  // Each observer should get every measured update but its own.
  const mine = (i: number) => {
    const id = typists[i]?.doc.clientID;
    return [...run.sent.keys()].filter((k) => k.startsWith(`${id}:`)).length;
  };
  const expected = Array.from({ length: OBSERVERS }, (_, i) => updates - mine(i));
  const complete = () => expected.every((n, i) => (run.received[i] ?? 0) >= n);
  await until(complete, DRAIN_MS, 'the last updates').catch(() => undefined);
  const cpu = cpuSeconds(pid) - cpu0;
  const lost = expected.reduce((n, e, i) => n + Math.max(0, e - (run.received[i] ?? 0)), 0);
  return { updates, cpu, lost };
}

const newRun = (): Run => ({
  sent: new Map(),
  measuring: false,
  latencies: [],
  received: [],
  refused: 0,
});

async function echora() {
  const db = await createBenchDatabase();
  const server = await startEchora({}, db.url);
  const run = newRun();
  const typists = Array.from({ length: CLIENTS }, (_, i) => new Typist(i, run));
  try {
    for (const t of typists) {
      const user = await register(server.url, `typist${t.index}_${Date.now().toString(36)}`);
      let channelId = '';
      const opened = new Promise<void>((resolve) => {
        void connect(server.syncUrl, user.accessToken, (raw) => {
          // Non-observers need only the handshake, which is done before the window.
          if (t.handshook && !t.observer) return;
          const frame = JSON.parse(raw) as { type: string; data?: string };
          if (frame.type === 'notes.opened') resolve();
          else if (frame.type === 'notes.sync' && frame.data)
            t.onSync(new Uint8Array(Buffer.from(frame.data, 'base64')));
          else if (frame.type === 'notes.refused') run.refused++;
        }).then((client) => {
          channelId = client.channels.get('text:general') ?? '';
          const send = (type: string, data: Uint8Array) =>
            client.ws.send(
              JSON.stringify({ type, channelId, data: Buffer.from(data).toString('base64') }),
            );
          t.wire = {
            sendSync: (m) => send('notes.sync', m),
            sendAwareness: (u) => send('notes.awareness', u),
            close: () => client.ws.terminate(),
          };
          client.ws.send(JSON.stringify({ type: 'notes.open', channelId }));
        });
      });
      await opened;
    }
    return { ...(await drive(typists, run, server.child.pid ?? 0)), run };
  } finally {
    for (const t of typists) t.close();
    await server.stop();
    await db.drop();
  }
}

async function yWebsocket() {
  const proc: RunningProcess = await startProcess({
    args: ['bench/baselines/y-websocket.ts'],
    ready: /listening (\d+)/,
  });
  const run = newRun();
  const typists = Array.from({ length: CLIENTS }, (_, i) => new Typist(i, run));
  try {
    for (const t of typists) {
      const ws = new WebSocket(`ws://127.0.0.1:${proc.match[1]}/general`, {
        perMessageDeflate: false,
      });
      ws.binaryType = 'arraybuffer';
      const framed = (kind: number, write: (e: encoding.Encoder) => void) => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, kind);
        write(encoder);
        ws.send(encoding.toUint8Array(encoder));
      };
      t.wire = {
        sendSync: (m) => framed(0, (e) => encoding.writeUint8Array(e, m)),
        sendAwareness: (u) => framed(1, (e) => encoding.writeVarUint8Array(e, u)),
        close: () => ws.terminate(),
      };
      ws.on('message', (data: ArrayBuffer) => {
        if (t.handshook && !t.observer) return;
        const bytes = new Uint8Array(data);
        const decoder = decoding.createDecoder(bytes);
        // 0: sync, 1: awareness, 3: awareness query.
        if (decoding.readVarUint(decoder) === 0) t.onSync(bytes.subarray(decoder.pos));
      });
      await new Promise((r) => ws.once('open', r));
    }
    return { ...(await drive(typists, run, proc.child.pid ?? 0)), run };
  } finally {
    for (const t of typists) t.close();
    await proc.stop();
  }
}

export async function p18(): Promise<Figure[]> {
  const base = await yWebsocket();
  const ours = await echora();
  const p = (r: typeof base, q: number) => round(percentile(r.run.latencies, q));
  const perUpdateUs = (r: typeof base) => round((r.cpu / r.updates) * 1e6, 0);
  const shape = `${CLIENTS} clients × ${RATE}/s, ${SECONDS} s window, ${OBSERVERS} observers`;
  const detail = (name: string, r: typeof base) =>
    `${name}: ${r.updates} updates, p50 ${p(r, 50)} ms, ${r.lost} deliveries missing, ` +
    `${r.run.refused} refused, ${round(r.cpu)} CPU s`;
  const notes = `${shape}; ${detail('echora', ours)}; ${detail('y-websocket', base)}`;
  return [
    {
      id: 'P18',
      name: `notes update → peer p99 (${CLIENTS} typists, one document)`,
      value: p(ours, 99),
      unit: 'ms',
      baselineName: 'y-websocket server',
      baseline: p(base, 99),
      better: 'lower',
      notes,
    },
    {
      id: 'P18',
      name: 'server CPU per notes update (fan-out included)',
      value: perUpdateUs(ours),
      unit: 'µs',
      baselineName: 'y-websocket server',
      baseline: perUpdateUs(base),
      better: 'lower',
      notes,
    },
  ];
}
