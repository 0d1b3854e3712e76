import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_EVERYONE, newId, Permission } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

describeEachDb('reaction.toggle', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND name = 'general'",
    );
    general = rows[0]?.id ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  const reactionsOf = async (id: string) =>
    (
      await getDb().query<{ reactions: unknown }>('SELECT reactions FROM messages WHERE id = $1', [
        id,
      ])
    ).rows[0]?.reactions;

  it('adds and removes reactions, idempotently, and the other user sees each change', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const id = newId();
    await a.mutate('message.send', { id, channelId: general, content: 'react to me' });
    expect(
      await b.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: true }),
    ).toMatchObject({ type: 'ack', scope: `channel:${general}` });
    // The same state again changes nothing and writes no feed entry.
    expect(await b.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: true })).toEqual({
      type: 'ack',
      seq: 2,
    });
    expect(
      await a.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: true }),
    ).toMatchObject({ type: 'ack' });
    await until(() => b.replica.messages.get(id)?.reactions[0]?.userIds.length === 2);
    expect(b.replica.messages.get(id)?.reactions).toEqual([
      { emoji: '👍', userIds: [bob.id, alice.id] },
    ]);
    await b.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: false });
    await b.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: false });
    await until(() => a.replica.messages.get(id)?.reactions[0]?.userIds.length === 1);
    expect(await reactionsOf(id)).toEqual([{ emoji: '👍', userIds: [alice.id] }]);
    await Promise.all([a.close(), b.close()]);
  });

  it('a replayed toggle (same seq) gets the recorded answer and applies once', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const id = newId();
    await a.mutate('message.send', { id, channelId: general, content: 'x' });
    const first = await a.mutate('reaction.toggle', { messageId: id, emoji: '🎉', on: true });
    const again = await a.mutate(
      'reaction.toggle',
      { messageId: id, emoji: '🎉', on: true },
      first.seq,
    );
    expect(again).toEqual(first);
    expect(await reactionsOf(id)).toEqual([{ emoji: '🎉', userIds: [alice.id] }]);
    await a.close();
  });

  it('refuses bad emoji, unknown custom emoji, missing messages and lacking addReactions', async () => {
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const id = newId();
    await b.mutate('message.send', { id, channelId: general, content: 'y' });
    for (const emoji of ['a', '<b>', '👍👍', ':Nope:']) {
      expect(await b.mutate('reaction.toggle', { messageId: id, emoji, on: true })).toMatchObject({
        type: 'reject',
        error: { kind: 'invalid' },
      });
    }
    expect(
      await b.mutate('reaction.toggle', { messageId: id, emoji: ':no_such:', on: true }),
    ).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
    expect(
      await b.mutate('reaction.toggle', { messageId: newId(), emoji: '👍', on: true }),
    ).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
    await getDb().query('UPDATE roles SET permissions = $1 WHERE is_everyone', [
      DEFAULT_EVERYONE & ~Permission.addReactions,
    ]);
    await app.sync.deps.access.reload();
    try {
      expect(
        await b.mutate('reaction.toggle', { messageId: id, emoji: '👍', on: true }),
      ).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });
    } finally {
      await getDb().query('UPDATE roles SET permissions = $1 WHERE is_everyone', [
        DEFAULT_EVERYONE,
      ]);
      await app.sync.deps.access.reload();
    }
    expect(await reactionsOf(id)).toEqual([]);
    await b.close();
  });

  it('caps the distinct emoji on one message', async () => {
    const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
    const id = newId();
    await a.mutate('message.send', { id, channelId: general, content: 'many' });
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗'];
    const answers = [];
    for (const e of emoji)
      answers.push(await a.mutate('reaction.toggle', { messageId: id, emoji: e, on: true }));
    expect(answers.slice(0, 20).every((x) => x.type === 'ack')).toBe(true);
    expect(answers[20]).toMatchObject({ type: 'reject', error: { kind: 'too_large' } });
    await a.close();
  });
});
