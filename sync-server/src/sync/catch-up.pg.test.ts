import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  Limits,
  newId,
  Permission,
  type Change,
  type DownMessage,
  type MutationArgs,
  type MutationName,
} from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { SyncClient } from '../../test/helpers/sync-client.ts';
import { AccessCache } from '../domain/permissions/access.ts';
import { catchUp } from './catch-up.ts';
import { createDispatch, dispatch } from './dispatch.ts';
import { scopeVersion } from '../write/feed.ts';

const scopeFrames = (c: SyncClient, scope: string): DownMessage[] =>
  c.frames.filter((f) => 'scope' in f && f.scope === scope && f.type !== 'ack');

/** Every change to channel `id` a client received in the community scope, frames and resets. */
const channelChanges = (c: SyncClient, id: string): Change[] =>
  c.frames.flatMap((f) =>
    (f.type === 'changes' || f.type === 'reset') && f.scope === 'community'
      ? f.changes.filter(
          (ch) => ch.entity === 'channel' && (ch.op === 'delete' ? ch.id : ch.data.id) === id,
        )
      : [],
  );

describeEachDb('sync: catch-up and exactly-once', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let alice: string;
  let aliceId: string;
  let bob: string;
  let bobId: string;
  let general: string;
  let scope: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 100_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const owner = await registerUser(app, 'alice');
    alice = owner.accessToken;
    aliceId = owner.user.id;
    const member = await registerUser(app, 'bob');
    bob = member.accessToken;
    bobId = member.user.id;
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

  /** A channel only alice (the owner) sees: @everyone is denied view. */
  async function privateChannel(a: SyncClient, name: string): Promise<string> {
    const id = newId();
    expect(await a.mutate('channel.create', { id, kind: 'text', name })).toMatchObject({
      type: 'ack',
    });
    const everyone = [...a.replica.roles.values()].find((r) => r.isEveryone)?.id ?? '';
    const hidden = await a.mutate('channel.overrides', {
      channelId: id,
      targetType: 'role',
      targetId: everyone,
      allow: 0,
      deny: Permission.viewChannel,
    });
    expect(hidden).toMatchObject({ type: 'ack' });
    return id;
  }

  it("a deleted private channel reaches an outsider's catch-up as its tombstone only", async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const id = await privateChannel(a, 'plans');
    const b1 = await (await SyncClient.connect(url, { token: bob })).synced();
    expect(b1.replica.channels.has(id)).toBe(false);
    const cursors = Object.fromEntries(b1.replica.cursors);
    await b1.close();

    const renamed = await a.mutate('channel.rename', {
      id,
      name: 'layoffs-march',
      topic: 'who goes first',
    });
    expect(renamed).toMatchObject({ type: 'ack' });
    expect(await a.mutate('channel.delete', { id })).toMatchObject({ type: 'ack' });
    await a.close();

    const b2 = await (
      await SyncClient.connect(url, { token: bob, clientId: b1.clientId, cursors })
    ).synced();
    // A replay, not a reset: the path that used to let the upserts through.
    expect(b2.frames.some((f) => f.type === 'reset' && f.scope === 'community')).toBe(false);
    expect(channelChanges(b2, id)).toEqual([
      expect.objectContaining({ op: 'delete', entity: 'channel', id }),
    ]);
    const seen = JSON.stringify(b2.frames);
    expect(seen).not.toContain('layoffs-march');
    expect(seen).not.toContain('who goes first');
    // A bootstrap (reset) has no trace of it either.
    const b3 = await (await SyncClient.connect(url, { token: bob })).synced();
    expect(channelChanges(b3, id)).toEqual([]);
    expect(JSON.stringify(b3.frames)).not.toContain('layoffs-march');
    await Promise.all([b2.close(), b3.close()]);
  });

  it('a private channel renamed and deleted in one commit reaches a live outsider as its tombstone only', async () => {
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const id = await privateChannel(a, 'plans-2');
    await a.close();
    const b = await (await SyncClient.connect(url, { token: bob })).synced();
    // A committer of its own: both frames queue before it runs, so one transaction
    // writes both and one event carries the rename and the tombstone together.
    const deps = createDispatch(app.sync.deps.dispatch);
    const clientId = newId();
    const mutate = <N extends MutationName>(seq: number, name: N, args: MutationArgs<N>) =>
      dispatch(deps, aliceId, clientId, { type: 'mutate', seq, name, args });
    const answers = await Promise.all([
      mutate(1, 'channel.rename', { id, name: 'merger-talks', topic: 'keep it quiet' }),
      mutate(2, 'channel.delete', { id }),
    ]);
    const [rename, remove] = answers;
    if (rename?.type !== 'ack' || remove?.type !== 'ack') throw new Error('not applied');
    // One transaction: the tombstone's version follows the rename's.
    expect(remove.version).toBe((rename.version ?? 0) + 1);
    const frame = await b.waitFor(
      (f) => f.type === 'changes' && f.scope === 'community' && f.to >= (remove.version ?? 0),
    );
    expect(frame).toMatchObject({ from: (rename.version ?? 0) - 1 });
    expect(channelChanges(b, id)).toEqual([
      expect.objectContaining({ op: 'delete', entity: 'channel', id }),
    ]);
    expect(JSON.stringify(b.frames)).not.toContain('merger-talks');
    await b.close();
  });

  it('judges channels by permissions at least as new as what it sends, not an older cache', async () => {
    // Loaded before the channel exists: by this cache alone, the channel would count as gone.
    const stale = new AccessCache(getDb());
    await stale.get();
    const staleForReset = new AccessCache(getDb());
    await staleForReset.get();
    const cursor = await scopeVersion(getDb(), 'community');
    const a = await (await SyncClient.connect(url, { token: alice })).synced();
    const id = newId();
    await a.mutate('channel.create', { id, kind: 'text', name: 'newer-than-the-cache' });
    await a.close();
    const upserts = (frames: { changes: Change[] }[]) =>
      frames.flatMap((f) =>
        f.changes.filter((c) => c.entity === 'channel' && c.op === 'upsert' && c.data.id === id),
      );
    const replay = await catchUp(getDb(), 'community', cursor, bobId, stale);
    expect(replay.frames.every((f) => f.type === 'changes')).toBe(true);
    expect(upserts(replay.frames)).toHaveLength(1);
    const reset = await catchUp(getDb(), 'community', undefined, bobId, staleForReset);
    expect(reset.frames.map((f) => f.type)).toEqual(['reset']);
    expect(upserts(reset.frames)).toHaveLength(1);
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
