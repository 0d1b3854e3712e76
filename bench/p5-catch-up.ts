/**
 * P5 — (a) catch-up of 10k missed messages into the client replica: the
 * server's `changes` frames (200 changes each) applied through the app's
 * `applyChanges` to Dexie on fake-indexeddb in Node, against a raw `bulkPut`
 * of the same rows, then the same in Chromium on its real IndexedDB
 * (p5-chromium.ts); (b) a reconnect storm: 2,000 clients connecting at once
 * until every one is `synced`, against 2,000 bare `ws` connects.
 */
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import WebSocket from 'ws';
import {
  emptyMessageExtras,
  channelScope,
  newId,
  type ChangesDown,
  type Message,
} from '@echora/shared';
import { applyChanges } from '../client/src/sync/apply.ts';
import { confirmed, createReplica } from '../client/src/sync/replica.ts';
import type { Figure } from './lib/figure.ts';
import { connect, startEchora, type SyncClient } from './lib/echora.ts';
import { register, startProcess } from '@echora/testkit';
import { p5Chromium } from './p5-chromium.ts';

const MISSED = Number(process.env.P5_MESSAGES ?? 10_000);
const STORM = Number(process.env.P5_STORM ?? 2000);
const CHUNK = 200;

function missed(channelId: string, authorId: string): Message[] {
  const at = Date.now() - MISSED * 1000;
  return Array.from({ length: MISSED }, (_, i) => ({
    id: newId(),
    channelId,
    authorId,
    content: `missed message ${i} ${'x'.repeat(100)}`,
    seq: i + 1,
    createdAt: new Date(at + i * 1000).toISOString(),
    editedAt: null,
    ...emptyMessageExtras(),
  }));
}

async function catchUp(): Promise<{ value: number; base: number }> {
  const channelId = newId();
  const rows = missed(channelId, newId());
  const scope = channelScope(channelId);
  const frames: ChangesDown[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    frames.push({
      type: 'changes',
      scope,
      from: i,
      to: i + part.length,
      changes: part.map((m) => ({ op: 'upsert', entity: 'message', version: m.seq, data: m })),
    });
  }
  const options = { indexedDB, IDBKeyRange };
  const raw = createReplica(`p5-raw-${newId()}`, options);
  let t = performance.now();
  for (let i = 0; i < rows.length; i += CHUNK)
    await raw.messages.bulkPut(rows.slice(i, i + CHUNK).map(confirmed));
  const base = performance.now() - t;
  raw.close();
  const replica = createReplica(`p5-app-${newId()}`, options);
  t = performance.now();
  for (const frame of frames) {
    const outcome = await applyChanges(replica, frame, { userId: 'p5' });
    if (outcome !== 'applied') throw new Error(`P5: frame ${frame.from} was ${outcome}`);
  }
  const value = performance.now() - t;
  const held = await replica.messages.count();
  replica.close();
  if (held !== MISSED) throw new Error(`P5: replica holds ${held}/${MISSED}`);
  return { value, base };
}

async function storm(): Promise<{ value: number; base: number }> {
  const bare = await startProcess({
    args: ['bench/baselines/ws-broadcast.ts'],
    ready: /listening (\d+)/,
  });
  let base: number;
  try {
    const url = `ws://127.0.0.1:${bare.match[1]}`;
    const t = performance.now();
    const sockets = await Promise.all(
      Array.from({ length: STORM }, async () => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        await new Promise((r, j) => ws.once('open', r).once('error', j));
        return ws;
      }),
    );
    base = performance.now() - t;
    for (const s of sockets) s.terminate();
  } finally {
    await bare.stop();
  }
  const server = await startEchora();
  try {
    // The server allows at most 1,000 sockets per user (MAX_SOCKETS_PER_USER's ceiling).
    const tokens: string[] = [];
    for (let u = 0; u * 1000 < STORM; u++)
      tokens.push((await register(server.url, `p5user${u}`)).accessToken);
    (await connect(server.syncUrl, tokens[0] ?? '')).ws.terminate();
    const t = performance.now();
    const clients: SyncClient[] = await Promise.all(
      Array.from({ length: STORM }, (_, i) =>
        connect(server.syncUrl, tokens[Math.floor(i / 1000)] ?? ''),
      ),
    );
    const value = performance.now() - t;
    for (const c of clients) c.ws.terminate();
    return { value, base };
  } finally {
    await server.stop();
  }
}

export async function p5(): Promise<Figure[]> {
  const c = await catchUp();
  const browser = await p5Chromium();
  const s = await storm();
  return [
    {
      id: 'P5',
      name: `catch-up of ${MISSED} missed messages into the replica (Dexie, fake-indexeddb)`,
      value: c.value,
      unit: 'ms',
      baselineName: 'raw bulkPut of the same rows',
      baseline: c.base,
      better: 'lower',
    },
    browser,
    {
      id: 'P5',
      name: `reconnect storm: ${STORM} clients until all synced`,
      value: s.value,
      unit: 'ms',
      baselineName: `${STORM} bare ws connects`,
      baseline: s.base,
      better: 'lower',
    },
  ];
}
