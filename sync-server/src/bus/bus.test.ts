import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory.ts';
import { createRedisBus } from './redis.ts';
import type { Bus, BusEvent } from './types.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `echora_t_${randomUUID()}:`;

/** Two nodes on one bus: the memory bus is one object, the Redis bus two connections. */
const implementations: [string, () => Promise<[Bus, Bus]>][] = [
  [
    'memory',
    () => {
      const bus = createMemoryBus();
      return Promise.resolve([bus, bus]);
    },
  ],
  [
    'redis',
    async () => [
      await createRedisBus({ url: REDIS_URL, prefix }),
      await createRedisBus({ url: REDIS_URL, prefix }),
    ],
  ],
];

function collect(bus: Bus, count: number): Promise<BusEvent[]> {
  const got: BusEvent[] = [];
  return new Promise((resolve) => {
    const off = bus.subscribe((event) => {
      got.push(event);
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}

describe.each(implementations)('%s bus', (_name, make) => {
  const open: Bus[] = [];
  afterAll(async () => {
    await Promise.all([...new Set(open)].map((b) => b.close()));
  });

  it('delivers every event to every node in publish order', async () => {
    const [a, b] = await make();
    open.push(a, b);
    // Connected and subscribed once made (what /readyz reports).
    expect([a.ready(), b.ready()]).toEqual([true, true]);
    const events: BusEvent[] = Array.from({ length: 50 }, (_, i) => ({
      type: 'changes',
      scope: 'community',
      from: i,
      to: i + 1,
      frame: JSON.stringify({ type: 'changes', n: i, text: 'é"\\\n' }),
    }));
    const onA = collect(a, events.length);
    const onB = collect(b, events.length);
    for (const e of events) await a.publish(e);
    expect(await onA).toEqual(events);
    expect(await onB).toEqual(events);
  });

  it('carries presence and typing, and stops after unsubscribe', async () => {
    const [a, b] = await make();
    open.push(a, b);
    const seen: BusEvent[] = [];
    const off = b.subscribe((e) => seen.push(e));
    const presence: BusEvent = {
      type: 'presence',
      nodeId: 'n1',
      userId: randomUUID(),
      status: 'idle',
    };
    const typing: BusEvent = {
      type: 'typing',
      channelId: randomUUID(),
      userId: randomUUID(),
      frame: '{}',
    };
    const both = collect(b, 2);
    await a.publish(presence);
    await a.publish(typing);
    expect(await both).toEqual([presence, typing]);
    off();
    const after = collect(b, 1);
    await a.publish(presence);
    await after;
    expect(seen).toEqual([presence, typing]);
  });

  it('carries an SFU node report as it was published', async () => {
    const [a, b] = await make();
    open.push(a, b);
    const event: BusEvent = {
      type: 'voice',
      report: {
        node: 'wss://sfu.example',
        epoch: randomUUID(),
        seq: 7,
        control: 'https://sfu.example',
        participants: [
          {
            userId: randomUUID(),
            channelId: randomUUID(),
            muted: true,
            serverMuted: false,
            deafened: false,
            serverDeafened: true,
            streaming: false,
            camera: false,
            screen: false,
            speaking: false,
            joinedAt: 1_700_000_000_000,
          },
        ],
      },
    };
    const got = collect(b, 1);
    await a.publish(event);
    expect(await got).toEqual([event]);
  });

  it('keeps delivering when one handler throws', async () => {
    const [a, b] = await make();
    open.push(a, b);
    const offBad = b.subscribe(() => {
      throw new Error('handler bug');
    });
    const got = collect(b, 1);
    const event: BusEvent = {
      type: 'typing',
      channelId: randomUUID(),
      userId: randomUUID(),
      frame: 'x',
    };
    await a.publish(event);
    expect(await got).toEqual([event]);
    offBad();
  });
});
