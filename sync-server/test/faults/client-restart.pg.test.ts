/**
 * A client killed with a full outbox (some sends acknowledged, some in flight,
 * some never sent) and restarted from what it kept on disk: every message
 * lands exactly once, and another client sees each once.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../helpers/db.ts';
import { createTestApp, registerUser } from '../helpers/app.ts';
import { DurableClient, freshDisk, type OutboxEntry } from './durable-client.ts';
import { report, settle, tally } from './tally.ts';

describeEachDb('client killed with a full outbox', (getDb, kind) => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('resends from its outbox after a restart: 0 lost, 0 duplicated', async () => {
    const alice = await registerUser(app, 'alice');
    const bob = await registerUser(app, 'bob');
    const disk = freshDisk();
    const first = new DurableClient(disk, alice.accessToken, () => url);
    const observer = new DurableClient(freshDisk(), bob.accessToken, () => url);
    await Promise.all([first.start(), observer.start()]);
    const channelId = [...disk.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';

    const sent: OutboxEntry[] = [];
    // Killed at the fifth ack: the rest are in flight, some applied with their ack unread.
    const killed = new Promise<void>((resolve) => {
      first.onAck = (n) => {
        if (n !== 5) return;
        first.kill();
        resolve();
      };
    });
    for (let k = 0; k < 40; k++) sent.push(first.send(channelId, `restart ${kind}:${k}`));
    await killed;
    const unackedAtKill = disk.outbox.length;
    // Written while the app is down: queued on disk only.
    const offline = new DurableClient(disk, alice.accessToken, () => url);
    for (let k = 40; k < 50; k++) sent.push(offline.send(channelId, `restart ${kind}:${k}`));
    await offline.start();
    await settle(() => disk.outbox.length === 0, 20_000);
    await settle(() => sent.every((e) => observer.disk.replica.messages.has(e.id)), 20_000);

    const t = await tally(getDb(), [offline, observer], sent);
    report(`client restart [${kind}]`, t, `; ${unackedAtKill} unacked at the kill`);
    offline.kill();
    observer.kill();
    expect(t.details).toEqual([]);
    expect(t.lost).toBe(0);
    expect(t.duplicated).toBe(0);
    expect(t.stored).toBe(50);
    expect(unackedAtKill).toBeGreaterThan(0);
  }, 60_000);
});
