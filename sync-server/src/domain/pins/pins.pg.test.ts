import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

describeEachDb('message.pin', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: string;
  let bob: string;
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    alice = (await registerUser(app, 'alice')).accessToken;
    bob = (await registerUser(app, 'bob')).accessToken;
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND name = 'general'",
    );
    general = rows[0]?.id ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  const pinnedAt = async (id: string) =>
    (
      await getDb().query<{ pinned_at: unknown }>('SELECT pinned_at FROM messages WHERE id = $1', [
        id,
      ])
    ).rows[0]?.pinned_at;

  it('the owner pins and unpins; members see pinnedAt; repeating a state is a no-op', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    const id = newId();
    await b.mutate('message.send', { id, channelId: general, content: 'pin me' });
    expect(await a.mutate('message.pin', { id, pinned: true })).toMatchObject({
      type: 'ack',
      scope: `channel:${general}`,
    });
    await until(() => typeof b.replica.messages.get(id)?.pinnedAt === 'string');
    const noop = await a.mutate('message.pin', { id, pinned: true });
    expect(noop).toEqual({ type: 'ack', seq: noop.seq });
    await a.mutate('message.pin', { id, pinned: false });
    await until(() => b.replica.messages.get(id)?.pinnedAt === null);
    expect(await pinnedAt(id)).toBeNull();
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses members without manage messages, and missing messages', async () => {
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    const id = newId();
    await b.mutate('message.send', { id, channelId: general, content: 'my own' });
    expect(await b.mutate('message.pin', { id, pinned: true })).toMatchObject({
      type: 'reject',
      error: { kind: 'forbidden' },
    });
    expect(await pinnedAt(id)).toBeNull();
    expect(await b.mutate('message.pin', { id: newId(), pinned: true })).toMatchObject({
      type: 'reject',
      error: { kind: 'not_found' },
    });
    await b.close();
  });

  it('lists pinned messages to those who see the channel, newest pin first', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const ids = [newId(), newId(), newId()];
    for (const id of ids) await a.mutate('message.send', { id, channelId: general, content: id });
    await a.mutate('message.pin', { id: ids[0] ?? '', pinned: true });
    await a.mutate('message.pin', { id: ids[2] ?? '', pinned: true });
    await a.mutate('message.delete', { id: ids[2] ?? '' });
    await a.mutate('message.pin', { id: ids[1] ?? '', pinned: true });
    const list = await app.inject({
      url: `/api/channels/${general}/pins`,
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(list.statusCode).toBe(200);
    const pinnedIds = list.json<{ messages: { id: string }[] }>().messages.map((m) => m.id);
    // Deleted ones are gone; earlier tests' pins were undone.
    expect(pinnedIds).toEqual([ids[1], ids[0]]);
    const unknown = await app.inject({
      url: `/api/channels/${newId()}/pins`,
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(unknown.statusCode).toBe(404);
    expect((await app.inject({ url: `/api/channels/${general}/pins` })).statusCode).toBe(401);
    await a.close();
  });
});
