import { createServer } from 'node:net';
import { IDBFactory } from 'fake-indexeddb';
import WebSocket from 'ws';
import { newId, type Message, type DownMessage, PROTOCOL_VERSION } from '@echora/shared';
import { SyncEngine } from '../src/sync/engine.ts';
import type { SocketConstructor } from '../src/sync/connection.ts';
import type { LocalMessage, Replica } from '../src/sync/replica.ts';
import { memoryReplica } from '../src/sync/test-replica.ts';
import type { Account } from './server.ts';

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Quick timings so tests do not wait on production backoff. */
export const fastTiming = { backoff: { baseMs: 50, capMs: 500 }, heartbeatMs: 5000, deadMs: 5000 };

export interface Device {
  factory: IDBFactory;
  name: string;
}

/** A fresh in-memory IndexedDB and database name: one device. */
export function newDevice(): Device {
  return { factory: new IDBFactory(), name: `echora-${newId()}` };
}

/** An engine for `account` on `device`, talking to `url`. */
export function engineFor(
  device: Device,
  account: Account,
  url: string,
  Socket: SocketConstructor = WebSocket as unknown as SocketConstructor,
): SyncEngine {
  const replica = memoryReplica(device.factory, device.name);
  return new SyncEngine({
    replica,
    url,
    getToken: () => Promise.resolve(account.accessToken),
    WebSocket: Socket,
    userId: account.user.id,
    timing: fastTiming,
  });
}

/**
 * Starts an engine for `account` on `device` and waits until it is online;
 * it joins `live`, which the test disposes of afterwards.
 */
export async function startOnline(
  live: SyncEngine[],
  device: Device,
  account: Account,
  url: string,
  Socket?: SocketConstructor,
): Promise<SyncEngine> {
  const engine = engineFor(device, account, url, Socket);
  live.push(engine);
  engine.start();
  await until(() => Promise.resolve(engine.state === 'online'), `${account.user.username} online`);
  return engine;
}

/** Stops an engine and closes its replica (the IndexedDB itself stays). */
export function dispose(engine: SyncEngine): void {
  engine.stop();
  engine.replica.close();
}

/** A channel's messages as the UI lists them. */
export function listed(replica: Replica, channelId: string): Promise<LocalMessage[]> {
  return replica.messages
    .where('[channelId+sortKey]')
    .between([channelId, -Infinity], [channelId, Infinity])
    .toArray();
}

/** Every message of a channel as the server holds it, oldest first, read through `history`. */
export async function serverHistory(
  url: string,
  account: Account,
  channelId: string,
): Promise<Message[]> {
  const ws = new WebSocket(url);
  const frames: DownMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as DownMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async <T extends DownMessage['type']>(type: T, requestId?: string) => {
    for (;;) {
      const found = frames.find(
        (f) =>
          f.type === type &&
          (requestId === undefined || ('requestId' in f && f.requestId === requestId)),
      );
      if (found) return found as Extract<DownMessage, { type: T }>;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  await new Promise((done) => ws.once('open', done));
  ws.send(
    JSON.stringify({
      type: 'auth',
      token: account.accessToken,
      clientId: newId(),
      protocolVersion: PROTOCOL_VERSION,
      cursors: {},
    }),
  );
  await next('ready');
  const all: Message[] = [];
  let before: number | null = null;
  for (;;) {
    const requestId = newId();
    ws.send(JSON.stringify({ type: 'history', requestId, channelId, before, limit: 100 }));
    const page = await next('history', requestId);
    all.push(...page.messages);
    if (!page.hasMore || page.messages.length === 0) break;
    before = Math.min(...page.messages.map((m) => m.seq));
  }
  ws.close();
  return all.sort((a, b) => a.seq - b.seq);
}

/** A ws URL where nothing listens: the server is unreachable from there. */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return `ws://127.0.0.1:${port}/api/sync`;
}
