import { IDBFactory } from 'fake-indexeddb';
import WebSocket from 'ws';
import { newId, type Message } from '@echora/shared';
import { freePort, ProtocolClient } from '@echora/testkit';
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
  const client = new ProtocolClient(url);
  await client.auth({ token: account.accessToken });
  await client.waitFor((f) => f.type === 'ready');
  const all = await client.allMessages(channelId);
  await client.close();
  return all.sort((a, b) => a.seq - b.seq);
}

/** A ws URL where nothing listens: the server is unreachable from there. */
export async function deadUrl(): Promise<string> {
  return `ws://127.0.0.1:${await freePort()}/api/sync`;
}
