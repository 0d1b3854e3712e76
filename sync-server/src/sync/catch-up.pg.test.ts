import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Limits, newId, type DownMessage } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { SyncClient } from '../../test/helpers/sync-client.ts';

const scopeFrames = (c: SyncClient, scope: string): DownMessage[] =>
  c.frames.filter((f) => 'scope' in f && f.scope === scope && f.type !== 'ack');

describeEachDb('sync: catch-up and exactly-once', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: string;
  let bob: string;
  let general: string;
  let scope: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 100_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    alice = (await registerUser(app, 'alice')).accessToken;
    bob = (await registerUser(app, 'bob')).accessToken;
    const c = await (await SyncClient.connect(url, { token: alice })).synced();
    general = [...c.replica.channels.values()].find((ch) => ch.kind === 'text')?.id ?? '';
    scope = `channel:${general}`;
    // Cursors below are then above 0 (0 means "nothing yet" and always resets).
    await c.mutate('message.send', { id: newId(), channelId: general, content: 'first' });
    await c.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  it(
    'a client that missed 500 messages catches up on exactly those, in order',
    { timeout: 200_000 },
    async () => {
      const b1 = await (await SyncClient.connect(url, { token: bob })).synced();
      const cursors = Object.fromEntries(b1.replica.cursors);
      await b1.close();

      const a = await (await SyncClient.connect(url, { token: alice })).synced();
      const sent = Array.from({ length: 500 }, (_, i) => ({
        id: newId(),
        channelId: general,
        content: `m${i}`,
      }));
      const answers = await a.mutateMany('message.send', sent);
      expect(answers.every((x) => x.type === 'ack')).toBe(true);
      await a.close();

      const b2 = await (
        await SyncClient.connect(url, { token: bob, clientId: b1.clientId, cursors })
      ).synced();
      const frames = scopeFrames(b2, scope);
      expect(frames.map((f) => f.type).filter((t) => t !== 'changes')).toEqual([]);
      const got = b2.replica.channelMessages(general);
      expect(got.map((m) => m.content)).toEqual(sent.map((m) => m.content));
      expect(new Set(got.map((m) => m.id)).size).toBe(500);
      expect(b2.replica.gaps).toEqual([]);
      expect(b2.replica.cursors.get(scope)).toBe((cursors[scope] as number) + 500);
      await b2.close();
    },
  );

  it('a cursor too far behind, beyond the feed, in the future or 0 gets a reset of the recent window', async () => {
    const db = getDb();
    // 1,000 more versions (tombstones of unknown ids are harmless to any replica).
    await db.query(
      `WITH s AS (UPDATE scopes SET version = version + 1000 WHERE scope = $1 RETURNING version)
       INSERT INTO feed (scope, version, entity, op, entity_id)
       SELECT $1, s.version - 1000 + g, 'message', 'delete', gen_random_uuid() FROM s, generate_series(1, 1000) g`,
      [scope],
    );
    const version = Number(
      (await db.query<{ version: number }>('SELECT version FROM scopes WHERE scope = $1', [scope]))
        .rows[0]?.version,
    );
    const tooFar = version - Limits.replayLimit - 1;
    // A retention job that trimmed the feed makes a near cursor unreplayable too.
    await db.query('DELETE FROM feed WHERE scope = $1 AND version <= 3', [scope]);
    for (const cursor of [tooFar, 2, version + 5, 0]) {
      const c = await (
        await SyncClient.connect(url, { token: bob, cursors: { [scope]: cursor } })
      ).synced();
      const frames = scopeFrames(c, scope);
      expect(frames.map((f) => f.type)).toEqual(['reset']);
      expect(frames[0]).toMatchObject({ type: 'reset', version, hasMore: true });
      expect(frames[0]?.type === 'reset' && frames[0].changes.length).toBe(Limits.resetWindow);
      await c.close();
    }
    // Close enough and whole: a replay, not a reset.
    const c = await (
      await SyncClient.connect(url, { token: bob, cursors: { [scope]: version - 10 } })
    ).synced();
    expect(scopeFrames(c, scope).map((f) => f.type)).toEqual(['changes']);
    await c.close();
  });

  it('revokes cursors of scopes the user may not see', async () => {
    const unknown = `channel:${newId()}`;
    const c = await (
      await SyncClient.connect(url, { token: bob, cursors: { [unknown]: 3, 'not-a-scope': 1 } })
    ).synced();
    const revoked = c.frames
      .filter((f) => f.type === 'revoke')
      .map((f) => f.type === 'revoke' && f.scope);
    expect(revoked.sort()).toEqual([unknown, 'not-a-scope'].sort());
    await c.close();
  });

  it('a mutation replayed after a lost ack is applied once and answered the same', async () => {
    const first = await (await SyncClient.connect(url, { token: alice })).synced();
    const ready = await first.waitFor((f) => f.type === 'ready');
    const seq = ready.type === 'ready' ? ready.nextSeq : 0;
    const id = newId();
    const args = { id, channelId: general, content: 'only once' };
    // Send, then drop the socket without reading the answer.
    first.send({ type: 'mutate', seq, name: 'message.send', args });
    const ack = await first.next((f) => f.type === 'ack' && f.seq === seq);
    await first.close();

    const again = await (
      await SyncClient.connect(url, { token: alice, clientId: first.clientId })
    ).synced();
    expect(await again.waitFor((f) => f.type === 'ready')).toMatchObject({ nextSeq: seq + 1 });
    expect(await again.mutate('message.send', args, seq)).toEqual(ack);
    const { rows } = await getDb().query('SELECT id FROM messages WHERE id = $1', [id]);
    expect(rows).toHaveLength(1);
    const feed = await getDb().query('SELECT version FROM feed WHERE entity_id = $1', [id]);
    expect(feed.rows).toHaveLength(1);

    // A refusal is recorded too: the replay is refused the same way.
    const bad = await again.mutate('message.edit', { id: newId(), content: 'x' });
    expect(bad).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
    expect(await again.mutate('message.edit', { id: newId(), content: 'other' }, bad.seq)).toEqual(
      bad,
    );

    // A gap in seqs is a protocol error and is not recorded; the expected seq still works.
    const gap = await again.mutate(
      'message.send',
      { id: newId(), channelId: general, content: 'z' },
      bad.seq + 5,
    );
    expect(gap).toMatchObject({ type: 'reject', error: { kind: 'protocol' } });
    const next = await again.mutate(
      'message.send',
      { id: newId(), channelId: general, content: 'z' },
      bad.seq + 1,
    );
    expect(next.type).toBe('ack');
    await again.close();
  });

  it('the same message id resent under a new seq is the same message; from someone else a conflict', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    const args = { id: newId(), channelId: general, content: 'dup' };
    const one = await a.mutate('message.send', args);
    const two = await a.mutate('message.send', args);
    expect(two).toMatchObject({ type: 'ack', version: one.type === 'ack' ? one.version : -1 });
    expect(await b.mutate('message.send', args)).toMatchObject({
      type: 'reject',
      error: { kind: 'conflict' },
    });
    await Promise.all([a.close(), b.close()]);
  });

  it('pages history newest first by seq, only for visible channels', async () => {
    const c = await (await SyncClient.connect(url, { token: bob })).synced();
    c.send({ type: 'history', requestId: 'h1', channelId: general, before: null, limit: 5 });
    const page = await c.waitFor((f) => f.type === 'history' && f.requestId === 'h1');
    if (page.type !== 'history') throw new Error('no page');
    const seqs = page.messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(page.hasMore).toBe(true);
    c.send({ type: 'history', requestId: 'h2', channelId: general, before: seqs.at(-1), limit: 5 });
    const older = await c.waitFor((f) => f.type === 'history' && f.requestId === 'h2');
    expect(
      older.type === 'history' && older.messages.every((m) => m.seq < (seqs.at(-1) ?? 0)),
    ).toBe(true);
    c.send({ type: 'history', requestId: 'h3', channelId: newId(), before: null, limit: 5 });
    expect(await c.waitFor((f) => f.type === 'error' && f.requestId === 'h3')).toMatchObject({
      error: { kind: 'not_found' },
    });
    await c.close();
  });

  it('refuses sends over the per-user rate with retryAfterMs', async () => {
    const limited = await createTestApp(getDb(), {
      config: { jwtSecret: app.config.jwtSecret },
      sync: { sendRate: { capacity: 2, windowMs: 60_000 } },
    });
    const limitedUrl = await limited.listen({ port: 0, host: '127.0.0.1' });
    const c = await (await SyncClient.connect(limitedUrl, { token: bob })).synced();
    const send = () =>
      c.mutate('message.send', { id: newId(), channelId: general, content: 'spam' });
    expect((await send()).type).toBe('ack');
    expect((await send()).type).toBe('ack');
    const third = await send();
    expect(third).toMatchObject({ type: 'reject', error: { kind: 'rate_limited' } });
    expect(third.type === 'reject' && third.error.retryAfterMs).toBeGreaterThan(0);
    await c.close();
    await limited.close();
  });
});
