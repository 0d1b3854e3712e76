/**
 * P8 — voice: audio streams the SFU forwards per core of its own CPU time at
 * under 1% loss, against a bare UDP relay; and join → first audio packet
 * p50/p95, against a direct werift peer connection. The SFU and the relay
 * run as their own processes; the werift clients share this one.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS } from 'werift';
import { signGrant } from '../sfu/src/grants.ts';
import { WeriftVoiceClient } from '../sfu/src/testing/werift-client.ts';
import { cpuSeconds, threadCpuDelta, threadCpuSeconds } from './lib/cpu.ts';
import type { Figure } from './lib/figure.ts';
import { startProcess, type RunningProcess } from '@echora/testkit';
import { percentile, round } from './lib/stats.ts';

const ROOMS = Number(process.env.P8_ROOMS ?? 6);
const ROOM_SIZE = 4;
const WINDOW_MS = Number(process.env.P8_WINDOW_MS ?? 5000);
/** One Opus packet per 20 ms: a stream's packets per second. */
const STREAM_PPS = 50;

/**
 * Streams' worth of forwarded packets per core: packets delivered in the
 * window, divided by a stream's rate and by the forwarder's CPU. Counting
 * delivered packets rather than legs keeps the figure honest when a loaded
 * machine starves the senders' timers (fewer packets, less work).
 */
function streamsPerCore(delivered: number, seconds: number, cpuSeconds: number): number {
  const cores = cpuSeconds / seconds;
  return delivered / seconds / STREAM_PPS / Math.max(cores, 0.001);
}
const TRIALS = Number(process.env.P8_TRIALS ?? 15);
/** P8_THREADS=1 prints the SFU's CPU per thread over the window (user + system seconds). */
const THREADS = process.env.P8_THREADS === '1';
const secret = randomUUID() + randomUUID();
const perms = { speak: true, stream: true, moderate: false };

async function startSfu(): Promise<{ proc: RunningProcess; url: string }> {
  const proc = await startProcess({
    // P8_SFU_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p8-prof`, profiles the SFU alone.
    args: process.env.P8_SFU_NODE_ARGS
      ? [...process.env.P8_SFU_NODE_ARGS.split(' '), '--import', 'tsx', 'sfu/src/server.ts']
      : ['sfu/src/server.ts'],
    ready: /sfu: listening on [^\s]+:(\d+)/,
    env: {
      SFU_PORT: '0',
      BIND_ADDR: '127.0.0.1',
      SYNC_URL: 'off',
      VOICE_GRANT_SECRET: secret,
    },
  });
  return { proc, url: `ws://127.0.0.1:${proc.match[1]}` };
}

async function joinClient(url: string, channel: string): Promise<WeriftVoiceClient> {
  const client = new WeriftVoiceClient(url);
  const grant = await signGrant({ sub: randomUUID(), ch: channel, node: url, perms }, secret);
  await client.join(grant);
  return client;
}

/** Forwarded legs (publisher → subscriber) per core of SFU CPU, and loss over the window. */
async function sfuForwarding(): Promise<{
  perCore: number;
  loss: number;
  legs: number;
  /** The senders' packet rate over the window, as a share of a stream's. */
  rate: number;
}> {
  const { proc, url } = await startSfu();
  const clients: WeriftVoiceClient[] = [];
  try {
    for (let r = 0; r < ROOMS; r++) {
      const channel = randomUUID();
      for (let i = 0; i < ROOM_SIZE; i++) {
        // One at a time: werift's DTLS handshakes starve each other when many start at once.
        const client = await joinClient(url, channel);
        client.publish('mic');
        await client.until(() => client.pc.connectionState === 'connected', 30_000, 'connected');
        clients.push(client);
      }
    }
    const others = ROOM_SIZE - 1;
    await Promise.all(
      clients.map((c) =>
        c.until(
          () => [...c.inbound.values()].filter((e) => e.packets > 0).length === others,
          60_000,
          'every leg flowing',
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const received = () =>
      clients.reduce((n, c) => n + [...c.inbound.values()].reduce((m, e) => m + e.packets, 0), 0);
    const sent = () => clients.reduce((n, c) => n + c.sent, 0);
    const pid = proc.child.pid ?? 0;
    const threads0 = THREADS ? threadCpuSeconds(pid) : undefined;
    if (THREADS) console.log(`P8 window starts (SFU pid ${pid})`);
    const [r0, s0, cpu0, t0] = [received(), sent(), cpuSeconds(pid), performance.now()];
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const [r1, s1, cpu1, t1] = [received(), sent(), cpuSeconds(pid), performance.now()];
    if (threads0) console.log(`P8 SFU threads: ${threadCpuDelta(threads0, threadCpuSeconds(pid))}`);
    // Packets in flight at the window's edges are a few per leg; count them as loss.
    const expected = (s1 - s0) * others;
    const loss = Math.max(0, 1 - (r1 - r0) / expected);
    const seconds = (t1 - t0) / 1000;
    const legs = clients.length * others;
    const perCore = streamsPerCore(r1 - r0, seconds, cpu1 - cpu0);
    return { perCore, loss, legs, rate: (s1 - s0) / seconds / clients.length / STREAM_PPS };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await proc.stop();
  }
}

/** The same rooms and packet rate through the bare UDP relay. */
async function relayForwarding(): Promise<{ perCore: number; loss: number; rate: number }> {
  const proc = await startProcess({
    args: ['bench/p8-udp-relay.ts'],
    ready: /relay listening (\d+)/,
  });
  const port = Number(proc.match[1]);
  const sockets: { socket: Socket; got: number }[] = [];
  const timers: NodeJS.Timeout[] = [];
  let sent = 0;
  try {
    for (let r = 0; r < ROOMS; r++)
      for (let i = 0; i < ROOM_SIZE; i++) {
        const entry = { socket: createSocket('udp4'), got: 0 };
        entry.socket.on('message', () => entry.got++);
        await new Promise<void>((done) => entry.socket.bind(0, '127.0.0.1', done));
        entry.socket.send(`join:${r}`, port, '127.0.0.1');
        sockets.push(entry);
      }
    await new Promise((r) => setTimeout(r, 300));
    const payload = Buffer.alloc(72, 1);
    for (const { socket } of sockets)
      timers.push(
        setInterval(() => {
          socket.send(payload, port, '127.0.0.1');
          sent++;
        }, 20),
      );
    await new Promise((r) => setTimeout(r, 1000));
    const got = () => sockets.reduce((n, s) => n + s.got, 0);
    const [g0, s0, cpu0, t0] = [got(), sent, cpuSeconds(proc.child.pid ?? 0), performance.now()];
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const [g1, s1, cpu1, t1] = [got(), sent, cpuSeconds(proc.child.pid ?? 0), performance.now()];
    const others = ROOM_SIZE - 1;
    const seconds = (t1 - t0) / 1000;
    return {
      perCore: streamsPerCore(g1 - g0, seconds, cpu1 - cpu0),
      loss: Math.max(0, 1 - (g1 - g0) / ((s1 - s0) * others)),
      rate: (s1 - s0) / seconds / sockets.length / STREAM_PPS,
    };
  } finally {
    for (const t of timers) clearInterval(t);
    for (const { socket } of sockets) socket.close();
    await proc.stop();
  }
}

/** ms from sending `join` to the first audio packet of a speaker already in the room. */
async function joinToFirstAudio(): Promise<number[]> {
  const { proc, url } = await startSfu();
  const channel = randomUUID();
  const speaker = await joinClient(url, channel);
  speaker.publish('mic');
  const times: number[] = [];
  try {
    for (let i = 0; i < TRIALS; i++) {
      const listener = new WeriftVoiceClient(url);
      const grant = await signGrant({ sub: randomUUID(), ch: channel, node: url, perms }, secret);
      const started = performance.now();
      await listener.join(grant);
      await listener.until(
        () => [...listener.inbound.values()].some((e) => e.firstAt !== undefined),
        20_000,
        'first audio',
      );
      const first = Math.min(
        ...[...listener.inbound.values()].map((e) => e.firstAt ?? Number.POSITIVE_INFINITY),
      );
      times.push(first - started);
      await listener.close();
    }
  } finally {
    await speaker.close();
    await proc.stop();
  }
  return times;
}

/** Baseline: two werift peers negotiating directly in-process, offer to first packet. */
async function directFirstAudio(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const a = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()] } });
    const b = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()] } });
    const track = new MediaStreamTrack({ kind: 'audio' });
    a.addTransceiver(track, { direction: 'sendonly' });
    let seq = 0;
    const timer = setInterval(() => {
      seq = (seq + 1) & 0xffff;
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 960 });
      track.writeRtp(new RtpPacket(header, Buffer.alloc(60, 1)));
    }, 20);
    const started = performance.now();
    const first = new Promise<number>((resolve) =>
      b.onTrack.subscribe((t) => t.onReceiveRtp.once(() => resolve(performance.now()))),
    );
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription ?? { type: 'offer', sdp: '' });
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription ?? { type: 'answer', sdp: '' });
    times.push((await first) - started);
    clearInterval(timer);
    await Promise.all([a.close(), b.close()]);
  }
  return times;
}

/** Runs P8 and returns its figures. */
export async function p8(): Promise<Figure[]> {
  const relay = await relayForwarding();
  const sfu = await sfuForwarding();
  const join = await joinToFirstAudio();
  const direct = await directFirstAudio();
  const lossNote = `loss ${round(sfu.loss * 100)}% over ${sfu.legs} legs (${ROOMS} rooms of ${ROOM_SIZE}); relay loss ${round(relay.loss * 100)}%; senders at ${round(sfu.rate * 100)}% (relay ${round(relay.rate * 100)}%) of 50 packets/s`;
  return [
    {
      id: 'P8a',
      name: 'audio streams forwarded per core of SFU CPU',
      value: sfu.perCore,
      unit: 'streams/core',
      baselineName: 'bare UDP relay',
      baseline: relay.perCore,
      better: 'higher',
      notes: `${lossNote}${sfu.loss < 0.01 ? '' : ' — OVER the 1% bound'}`,
    },
    {
      id: 'P8b',
      name: 'join → first audio, p50',
      value: percentile(join, 50),
      unit: 'ms',
      baselineName: 'direct werift peer',
      baseline: percentile(direct, 50),
      better: 'lower',
    },
    {
      id: 'P8c',
      name: 'join → first audio, p95',
      value: percentile(join, 95),
      unit: 'ms',
      baselineName: 'direct werift peer',
      baseline: percentile(direct, 95),
      better: 'lower',
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await p8();
  for (const f of figures)
    console.log(
      `${f.id} ${f.name}: ${round(f.value)} ${f.unit} (baseline ${f.baselineName}: ${round(f.baseline)})${f.notes ? ` — ${f.notes}` : ''}`,
    );
}
