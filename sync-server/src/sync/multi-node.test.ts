import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dmId, newId } from '@echora/shared';
import { startServer, type TestServer } from '@echora/testkit';
import { createPgTestDatabase } from '../../test/helpers/db.ts';
import { SyncClient, until } from '../../test/helpers/sync-client.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PRESENCE_TTL_MS = 1500;

describe('two sync-server processes on one Postgres and Redis', () => {
  let database: { url: string; drop(): Promise<void> };
  const nodes: TestServer[] = [];
  // One data folder for both nodes, as a deployment shares its uploads.
  const dataDir = join(tmpdir(), `echora-multi-${randomBytes(4).toString('hex')}`);

  beforeAll(async () => {
    database = await createPgTestDatabase();
    const env = {
      REDIS_URL,
      REDIS_PREFIX: `echora_t_${randomUUID()}:`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    };
    // Both at once: migrations and the default channels must be made exactly once.
    const both = { database: { url: database.url }, env };
    nodes.push(...(await Promise.all([startServer(both), startServer(both)])));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
  });

  it('a conversation made or changed on one node is writable at once on the other', async () => {
    const [n1, n2] = nodes as [TestServer, TestServer];
    const account = async (node: TestServer, name: string) => {
      const { user, accessToken } = await node.register(name);
      return { id: user.id, token: accessToken };
    };
    const dana = await account(n1, 'dana');
    const eve = await account(n2, 'eve');
    const finn = await account(n2, 'finn');
    const d = await (await SyncClient.connect(n1.url, { token: dana.token })).synced();
    const e = await (await SyncClient.connect(n2.url, { token: eve.token })).synced();
    const f = await (await SyncClient.connect(n2.url, { token: finn.token })).synced();
    /** The user's own scope brought conversation `id` (as the app learns of it). */
    const arrived = (c: SyncClient, userId: string, id: string) =>
      c.waitFor(
        (frame) =>
          frame.type === 'changes' &&
          frame.scope === `user:${userId}` &&
          frame.changes.some((ch) => ch.op === 'upsert' && ch.data.id === id),
      );
    const post = (c: SyncClient, channelId: string) =>
      c.mutate('message.send', { id: newId(), channelId, content: 'hello' });

    // Made on node 1, written to from node 2 as soon as it arrives there.
    const pair = dmId(dana.id, eve.id);
    expect(await d.mutate('dm.open', { userId: eve.id })).toMatchObject({ type: 'ack' });
    await arrived(e, eve.id, pair);
    expect(await post(e, pair)).toMatchObject({ type: 'ack' });

    // Made on node 2, so node 2's permissions know it; Finn is added on node 1:
    // node 2 must learn that he takes part before he writes there.
    const group = newId();
    expect(await e.mutate('dm.create', { id: group, userIds: [dana.id] })).toMatchObject({
      type: 'ack',
    });
    await arrived(d, dana.id, group);
    expect(await post(d, group)).toMatchObject({ type: 'ack' });
    expect(await d.mutate('dm.add', { id: group, userIds: [finn.id] })).toMatchObject({
      type: 'ack',
    });
    await arrived(f, finn.id, group);
    await f.waitFor((frame) => frame.type === 'reset' && frame.scope === `channel:${group}`);
    expect(await post(f, group)).toMatchObject({ type: 'ack' });
    for (const c of [d, e, f]) await c.close();
  }, 60_000);

  it("clients on different nodes chat, see each other online, and a killed node's users go offline", async () => {
    const [n1, n2] = nodes as [TestServer, TestServer];
    const { user: alice, accessToken: aliceToken } = await n1.register('alice');
    const { user: bob, accessToken: bobToken } = await n2.register('bob');
    const a = await (await SyncClient.connect(n1.url, { token: aliceToken })).synced();
    const b = await (await SyncClient.connect(n2.url, { token: bobToken })).synced();
    expect([...a.replica.channels.values()].map((c) => c.name).sort()).toEqual([
      'General',
      'general',
    ]);
    const general = [...a.replica.channels.values()].find((c) => c.kind === 'text')?.id as string;

    const fromA = newId();
    await a.mutate('message.send', { id: fromA, channelId: general, content: 'hi from node 1' });
    await b.waitFor(
      (f) =>
        f.type === 'changes' && f.changes.some((c) => c.op === 'upsert' && c.data.id === fromA),
    );
    const fromB = newId();
    await b.mutate('message.send', { id: fromB, channelId: general, content: 'hi from node 2' });
    await a.waitFor(
      (f) =>
        f.type === 'changes' && f.changes.some((c) => c.op === 'upsert' && c.data.id === fromB),
    );
    // Across nodes the sender's own change comes back through Redis, after its ack.
    const ids = (c: SyncClient) => c.replica.channelMessages(general).map((m) => m.id);
    await until(() => ids(a).length === 2 && ids(b).length === 2, 10_000, 'both messages on both');
    expect(ids(a)).toEqual([fromA, fromB]);
    expect(ids(b)).toEqual([fromA, fromB]);

    const online = (c: SyncClient, userId: string) =>
      c.waitFor(
        (f) =>
          (f.type === 'presence' && f.userId === userId && f.status === 'online') ||
          (f.type === 'presence.snapshot' &&
            f.users.some((u) => u.userId === userId && u.status === 'online')),
      );
    await online(a, bob.id);
    await online(b, alice.id);

    const offline = b.next(
      (f) => f.type === 'presence' && f.userId === alice.id && f.status === 'offline',
      10_000,
    );
    const killedAt = Date.now();
    await n1.kill();
    await offline;
    expect(Date.now() - killedAt).toBeLessThan(PRESENCE_TTL_MS * 3);
    await b.close();
  }, 60_000);
});
