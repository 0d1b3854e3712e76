import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_EVERYONE, newId, type Message } from '@echora/shared';
import { seedDefaultChannels } from '../domain/channels/seed.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { SyncClient, until } from '../../test/helpers/sync-client.ts';

describeEachDb('sync: two clients chat', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let owner: { id: string; token: string };
  let bob: { id: string; token: string };
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    owner = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('bootstraps a new client with channels, members and a ready seq', async () => {
    const c = await SyncClient.connect(url, { token: bob.token });
    await c.synced();
    const ready = await c.waitFor((f) => f.type === 'ready');
    expect(ready).toMatchObject({ type: 'ready', userId: bob.id, nextSeq: 1 });
    const names = [...c.replica.channels.values()].map((ch) => `${ch.kind}:${ch.name}`).sort();
    expect(names).toEqual(['text:general', 'voice:General']);
    expect(c.replica.members).toEqual(new Set([owner.id, bob.id]));
    general = [...c.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
    expect(c.replica.cursors.get(`channel:${general}`)).toBe(0);
    await c.close();
  });

  it('A sends, B receives; edits and deletes propagate', async () => {
    const a = await (await SyncClient.connect(url, { token: owner.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const id = newId();
    const ack = await a.mutate('message.send', { id, channelId: general, content: 'hello bob' });
    expect(ack).toMatchObject({ type: 'ack', scope: `channel:${general}` });
    await until(() => b.replica.messages.get(id)?.content === 'hello bob');
    const sent = b.replica.messages.get(id) as Message;
    expect(sent).toMatchObject({ authorId: owner.id, channelId: general, editedAt: null });
    expect(sent.seq).toBe(ack.type === 'ack' ? ack.version : -1);

    expect(await a.mutate('message.edit', { id, content: 'hello, bob' })).toMatchObject({
      type: 'ack',
    });
    await until(() => b.replica.messages.get(id)?.content === 'hello, bob');
    expect(b.replica.messages.get(id)?.editedAt).not.toBeNull();
    expect(b.replica.messages.get(id)?.seq).toBe(sent.seq);

    expect(await a.mutate('message.delete', { id })).toMatchObject({ type: 'ack' });
    await until(() => !b.replica.messages.has(id));
    expect(b.replica.gaps).toEqual([]);
    expect(a.replica.gaps).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it("refuses editing or deleting someone else's message and leaves it unchanged", async () => {
    const a = await (await SyncClient.connect(url, { token: owner.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const id = newId();
    await b.mutate('message.send', { id, channelId: general, content: 'mine' });
    // Owner may delete (moderation) but nobody edits another's message.
    const edit = await a.mutate('message.edit', { id, content: 'yours now' });
    expect(edit).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });
    const aliceMsg = newId();
    await a.mutate('message.send', { id: aliceMsg, channelId: general, content: 'alice here' });
    const del = await b.mutate('message.delete', { id: aliceMsg });
    expect(del).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });
    const { rows } = await getDb().query<{
      content: string;
      deleted_at: unknown;
      edited_at: unknown;
    }>(
      'SELECT content, deleted_at, edited_at FROM messages WHERE id = ANY($1) ORDER BY content DESC',
      [[id, aliceMsg]],
    );
    expect(rows).toEqual([
      { content: 'mine', deleted_at: null, edited_at: null },
      { content: 'alice here', deleted_at: null, edited_at: null },
    ]);
    expect(await a.mutate('message.delete', { id })).toMatchObject({ type: 'ack' });
    await Promise.all([a.close(), b.close()]);
  });

  it('validates content: blank, too long, unknown channel, bad args', async () => {
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const cases: [unknown, string][] = [
      [{ id: newId(), channelId: general, content: '   \n ' }, 'invalid'],
      [{ id: newId(), channelId: general, content: 'x'.repeat(4001) }, 'too_large'],
      [{ id: newId(), channelId: newId(), content: 'hi' }, 'not_found'],
      [{ id: 'nope', channelId: general, content: 'hi' }, 'invalid'],
      [{ id: newId(), channelId: general, content: 'hi', authorId: owner.id }, 'invalid'],
    ];
    for (const [args, kind] of cases) {
      const answer = await b.mutate('message.send', args as never);
      expect(answer).toMatchObject({ type: 'reject', error: { kind } });
    }
    const tooLong = await b.mutate('message.send', {
      id: newId(),
      channelId: general,
      content: 'y'.repeat(5000),
    });
    expect(tooLong.type === 'reject' && tooLong.error.message).toMatch(/4000/);
    await b.close();
  });

  it('channel mutations need manage channels and propagate; deleting revokes, creating bootstraps', async () => {
    const a = await (await SyncClient.connect(url, { token: owner.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const id = newId();
    const refused = await b.mutate('channel.create', { id, kind: 'text', name: 'nope' });
    expect(refused).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });

    expect(await a.mutate('channel.create', { id, kind: 'text', name: '  random ' })).toMatchObject(
      {
        type: 'ack',
        scope: 'community',
      },
    );
    await until(() => b.replica.channels.get(id)?.name === 'random');
    await b.waitFor((f) => f.type === 'reset' && f.scope === `channel:${id}`);
    const msg = newId();
    await b.mutate('message.send', { id: msg, channelId: id, content: 'in random' });
    await until(() => a.replica.messages.has(msg));

    await a.mutate('channel.rename', { id, name: 'random-2', topic: 'off topic' });
    await until(() => b.replica.channels.get(id)?.topic === 'off topic');
    const reorder = await a.mutate('channel.reorder', { ids: [id] });
    expect(reorder.type).toBe('ack');
    await until(() => b.replica.channels.get(id)?.position === 0);
    const positions = [...b.replica.channels.values()].map((c) => c.position).sort();
    expect(new Set(positions).size).toBe(positions.length);

    await a.mutate('channel.delete', { id });
    await b.waitFor((f) => f.type === 'revoke' && f.scope === `channel:${id}`);
    expect(b.replica.channels.has(id)).toBe(false);
    expect(b.replica.messages.has(msg)).toBe(false);
    const late = await b.mutate('message.send', { id: newId(), channelId: id, content: 'late' });
    expect(late).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
    expect(b.replica.gaps).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('typing reaches the others in the channel, not the typist, and nothing is recorded', async () => {
    const a = await (await SyncClient.connect(url, { token: owner.token })).synced();
    const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
    const typing = b.next((f) => f.type === 'typing');
    expect(await a.mutate('typing.start', { channelId: general }, 1)).toEqual({
      type: 'ack',
      seq: 1,
    });
    expect(await typing).toMatchObject({ channelId: general, userId: owner.id, expiresInMs: 8000 });
    expect(a.frames.some((f) => f.type === 'typing')).toBe(false);
    const { rows } = await getDb().query('SELECT 1 FROM client_mutations WHERE client_id = $1', [
      a.clientId,
    ]);
    expect(rows).toEqual([]);
    expect(await a.mutate('typing.start', { channelId: newId() }, 1)).toMatchObject({
      type: 'reject',
      error: { kind: 'not_found' },
    });
    await Promise.all([a.close(), b.close()]);
  });

  it('presence: snapshot on connect, online across connections, offline when the last closes', async () => {
    const watcher = await (await SyncClient.connect(url, { token: owner.token })).synced();
    const b1 = await (await SyncClient.connect(url, { token: bob.token })).synced();
    await watcher.waitFor(
      (f) => f.type === 'presence' && f.userId === bob.id && f.status === 'online',
    );
    const snap = await b1.waitFor((f) => f.type === 'presence.snapshot');
    expect(snap.type === 'presence.snapshot' && snap.users).toContainEqual({
      userId: owner.id,
      status: 'online',
    });
    const b2 = await (await SyncClient.connect(url, { token: bob.token })).synced();
    b1.send({ type: 'presence', status: 'idle' });
    b2.send({ type: 'presence', status: 'idle' });
    await watcher.waitFor(
      (f) => f.type === 'presence' && f.userId === bob.id && f.status === 'idle',
    );
    await b1.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(
      watcher.frames.some(
        (f) => f.type === 'presence' && f.userId === bob.id && f.status === 'offline',
      ),
    ).toBe(false);
    await b2.close();
    await watcher.waitFor(
      (f) => f.type === 'presence' && f.userId === bob.id && f.status === 'offline',
    );
    await watcher.close();
  });

  it('seeds @everyone with DEFAULT_EVERYONE and the default channels once, even when raced', async () => {
    const db = getDb();
    const { rows: roles } = await db.query<{ permissions: number }>(
      'SELECT permissions FROM roles WHERE is_everyone',
    );
    expect(roles).toEqual([{ permissions: DEFAULT_EVERYONE }]);
    const before = await db.query('SELECT id FROM channels');
    const again = await Promise.all([seedDefaultChannels(db), seedDefaultChannels(db)]);
    expect(again.map((c) => c.events())).toEqual([[], []]);
    expect((await db.query('SELECT id FROM channels')).rows).toHaveLength(before.rows.length);
  });
});
