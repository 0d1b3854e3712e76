import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_EVERYONE, newId, Permission } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

describeEachDb('replies and threads', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: string;
  let bob: string;
  let general: string;
  let voice: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    alice = (await registerUser(app, 'alice')).accessToken;
    bob = (await registerUser(app, 'bob')).accessToken;
    const { rows } = await getDb().query<{ id: string; kind: string }>(
      "SELECT id, kind FROM channels WHERE kind IN ('text', 'voice') ORDER BY kind",
    );
    general = rows.find((r) => r.kind === 'text')?.id ?? '';
    voice = rows.find((r) => r.kind === 'voice')?.id ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a reply names the message it answers, even one deleted before the reply arrives', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    const original = newId();
    await a.mutate('message.send', { id: original, channelId: general, content: 'question?' });
    const reply = newId();
    await b.mutate('message.send', {
      id: reply,
      channelId: general,
      content: 'answer',
      replyToId: original,
    });
    await until(() => a.replica.messages.get(reply)?.replyToId === original);
    await a.mutate('message.delete', { id: original });
    const late = newId();
    expect(
      await b.mutate('message.send', {
        id: late,
        channelId: general,
        content: 'late',
        replyToId: original,
      }),
    ).toMatchObject({ type: 'ack' });
    await until(() => a.replica.messages.get(late)?.replyToId === original);
    expect(
      await b.mutate('message.send', {
        id: newId(),
        channelId: general,
        content: 'x',
        replyToId: newId(),
      }),
    ).toMatchObject({ type: 'reject', error: { kind: 'invalid' } });
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a reply to a message of another channel', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const thread = newId();
    const root = newId();
    await a.mutate('message.send', { id: root, channelId: general, content: 'root' });
    await a.mutate('thread.create', { id: thread, channelId: general, messageId: root, name: 't' });
    expect(
      await a.mutate('message.send', {
        id: newId(),
        channelId: thread,
        content: 'x',
        replyToId: root,
      }),
    ).toMatchObject({ type: 'reject', error: { kind: 'invalid' } });
    await a.close();
  });

  it('creates a thread; its messages keep the parent summary current for everyone', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    const root = newId();
    await b.mutate('message.send', { id: root, channelId: general, content: 'start here' });
    const thread = newId();
    const created = await a.mutate('thread.create', {
      id: thread,
      channelId: general,
      messageId: root,
      name: 'Side talk',
    });
    expect(created).toMatchObject({ type: 'ack', scope: 'community' });
    await until(() => b.replica.channels.get(thread)?.kind === 'thread');
    expect(b.replica.channels.get(thread)).toMatchObject({
      parentId: general,
      parentMessageId: root,
      name: 'Side talk',
    });
    await until(() => b.replica.messages.get(root)?.thread?.id === thread);
    expect(b.replica.messages.get(root)?.thread).toEqual({
      id: thread,
      replyCount: 0,
      lastReplyAt: null,
    });
    await until(() => b.replica.cursors.has(`channel:${thread}`));

    const ids = Array.from({ length: 6 }, () => newId());
    await Promise.all(
      ids.map((id, i) =>
        (i % 2 ? a : b).mutate('message.send', {
          id,
          channelId: thread,
          content: `in thread ${i}`,
        }),
      ),
    );
    await until(() => a.replica.messages.get(root)?.thread?.replyCount === 6, 10_000, 'count 6');
    await until(() => b.replica.messages.get(ids[0] ?? '')?.channelId === thread);
    expect(a.replica.messages.get(root)?.thread?.lastReplyAt).not.toBeNull();
    await b.mutate('message.delete', { id: ids[0] ?? '' });
    await until(() => b.replica.messages.get(root)?.thread?.replyCount === 5);

    // A resend of the same thread is recognised; a second thread on the message is not.
    expect(
      await a.mutate('thread.create', {
        id: thread,
        channelId: general,
        messageId: root,
        name: 'Side talk',
      }),
    ).toMatchObject({ type: 'ack' });
    expect(
      await a.mutate('thread.create', {
        id: newId(),
        channelId: general,
        messageId: root,
        name: 'again',
      }),
    ).toMatchObject({ type: 'reject', error: { kind: 'conflict' } });
    const { rows } = await getDb().query(
      "SELECT id FROM channels WHERE kind = 'thread' AND parent_message_id = $1",
      [root],
    );
    expect(rows).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses threads in threads, in voice channels, on missing messages, and without send', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    const root = newId();
    await a.mutate('message.send', { id: root, channelId: general, content: 'root' });
    const thread = newId();
    await a.mutate('thread.create', { id: thread, channelId: general, messageId: root, name: 't' });
    const inner = newId();
    await a.mutate('message.send', { id: inner, channelId: thread, content: 'inner' });
    const refused = async (channelId: string, messageId: string, kind: string, c = a) =>
      expect(
        await c.mutate('thread.create', { id: newId(), channelId, messageId, name: 'n' }),
      ).toMatchObject({ type: 'reject', error: { kind } });
    await refused(thread, inner, 'invalid');
    await refused(voice, root, 'invalid');
    await refused(general, newId(), 'not_found');
    await refused(general, '  ', 'invalid');
    await getDb().query('UPDATE roles SET permissions = $1 WHERE is_everyone', [
      DEFAULT_EVERYONE & ~Permission.sendMessages,
    ]);
    await app.sync.deps.access.reload();
    try {
      const other = newId();
      await a.mutate('message.send', {
        id: other,
        channelId: general,
        content: 'no thread for bob',
      });
      await refused(general, other, 'forbidden', b);
    } finally {
      await getDb().query('UPDATE roles SET permissions = $1 WHERE is_everyone', [
        DEFAULT_EVERYONE,
      ]);
      await app.sync.deps.access.reload();
    }
    await Promise.all([a.close(), b.close()]);
  });

  it("a thread follows its parent's permissions: hidden there, hidden in the thread", async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const root = newId();
    await a.mutate('message.send', { id: root, channelId: general, content: 'private soon' });
    const thread = newId();
    await a.mutate('thread.create', { id: thread, channelId: general, messageId: root, name: 'p' });
    const { rows } = await getDb().query<{ id: string }>('SELECT id FROM roles WHERE is_everyone');
    await getDb().query(
      "INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny) VALUES ($1, 'role', $2, 0, $3)",
      [general, rows[0]?.id, Permission.viewChannel],
    );
    await app.sync.deps.access.reload();
    try {
      const b = await (await SyncClient.connect(url, { token: bob })).synced();
      expect(b.replica.channels.has(thread)).toBe(false);
      expect(
        await b.mutate('message.send', { id: newId(), channelId: thread, content: 'peek' }),
      ).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
      await b.close();
    } finally {
      await getDb().query('DELETE FROM channel_overrides WHERE channel_id = $1', [general]);
      await app.sync.deps.access.reload();
    }
    await a.close();
  });
});
