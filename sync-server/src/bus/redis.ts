import { Redis } from 'ioredis';
import { deliver } from './memory.ts';
import type { Bus, BusEvent, BusHandler } from './types.ts';

export interface RedisBusOptions {
  url: string;
  /** Prefix of every Redis channel, so several installs (or test runs) share a server. */
  prefix?: string;
}

/**
 * The bus across nodes: Redis pub/sub on one channel, so events of one
 * publisher keep their order. Subscribing needs its own connection.
 */
export async function createRedisBus(options: RedisBusOptions): Promise<Bus> {
  const channel = `${options.prefix ?? 'echora:'}bus`;
  const pub = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(options.url, { lazyConnect: true });
  const handlers = new Set<BusHandler>();
  for (const conn of [pub, sub]) conn.on('error', (err) => console.error('redis bus', err.message));
  await Promise.all([pub.connect(), sub.connect()]);
  sub.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const event = parseEvent(text);
    if (!event) return;
    for (const handler of handlers) deliver(handler, event);
  });
  await sub.subscribe(channel);
  // ioredis reconnects and subscribes again by itself; once Redis confirms the
  // subscription, whatever was missed is in the feed: this node catches up.
  let down = false;
  sub.on('close', () => {
    down = true;
  });
  sub.on('ready', () => {
    if (!down) return;
    down = false;
    sub.subscribe(channel).then(
      () => {
        for (const handler of handlers) deliver(handler, { type: 'resync' });
      },
      (err: unknown) => console.error('redis bus: subscribe failed', err),
    );
  });
  return {
    kind: 'redis',
    async publish(event: BusEvent) {
      await pub.publish(channel, JSON.stringify(event));
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ready: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      handlers.clear();
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}

/** Only our own nodes publish here, but a garbled message must not throw in the socket callback. */
function parseEvent(text: string): BusEvent | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && 'type' in value) return value as BusEvent;
  } catch {
    // fall through
  }
  console.error('redis bus: dropped a malformed event');
  return undefined;
}
