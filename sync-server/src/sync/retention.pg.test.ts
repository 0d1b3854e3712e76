import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { SyncClient } from '../../test/helpers/sync-client.ts';
import { appendChanges } from '../write/feed.ts';
import { pruneFeed, pruneIdempotencyKeys, pruneMutations } from './retention.ts';

describeEachDb('sync: retention of mutation records and the feed', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let token: string;
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 100_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    token = (await registerUser(app, 'keeper')).accessToken;
    const c = await (await SyncClient.connect(url, { token })).synced();
    general = [...c.replica.channels.values()].find((ch) => ch.kind === 'text')?.id ?? '';
    await c.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  const seqs = async (clientId: string) =>
    (
      await getDb().query<{ seq: number }>(
        'SELECT seq FROM client_mutations WHERE client_id = $1 ORDER BY seq',
        [clientId],
      )
    ).rows.map((r) => Number(r.seq));

  it('prunes old answers but keeps each client’s latest; replays stay exactly-once', async () => {
    const clientId = newId();
    const c = await (await SyncClient.connect(url, { token, clientId })).synced();
    const ids = [newId(), newId(), newId()];
    for (const id of ids) await c.mutate('message.send', { id, channelId: general, content: id });
    const refused = await c.mutate('message.send', {
      id: newId(),
      channelId: general,
      content: ' ',
    });
    expect(refused.type).toBe('reject');
    await c.close();
    // A client whose only record is old keeps it too.
    const lone = newId();
    const l = await (await SyncClient.connect(url, { token, clientId: lone })).synced();
    await l.mutate('message.send', { id: newId(), channelId: general, content: 'lone' });
    await l.close();
    await getDb().query("UPDATE client_mutations SET created_at = now() - interval '40 days'");
    // A recent record of the first client, newer than the cutoff, stays whatever its seq.
    const again = await (await SyncClient.connect(url, { token, clientId })).synced();
    await again.mutate('message.send', { id: newId(), channelId: general, content: 'fresh' });
    await again.close();
    await getDb().query(
      "UPDATE client_mutations SET created_at = now() - interval '40 days' WHERE client_id = $1 AND seq = 4",
      [clientId],
    );

    const cutoff = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
    expect(await pruneMutations(getDb(), cutoff)).toBe(4);
    expect(await seqs(clientId)).toEqual([5]);
    expect(await seqs(lone)).toEqual([1]);
    expect(await pruneMutations(getDb(), cutoff)).toBe(0);

    // The next seq still follows the latest record, and a pruned seq is not applied again.
    const back = await (await SyncClient.connect(url, { token, clientId })).synced();
    expect(back.frames.find((f) => f.type === 'ready')).toMatchObject({ nextSeq: 6 });
    const replay = await back.mutate(
      'message.send',
      { id: newId(), channelId: general, content: 'replayed' },
      2,
    );
    expect(replay).toEqual({ type: 'ack', seq: 2 });
    const next = await back.mutate('message.send', {
      id: newId(),
      channelId: general,
      content: 'six',
    });
    expect(next).toMatchObject({ type: 'ack', seq: 6 });
    await back.close();
    const { rows } = await getDb().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE content IN ('replayed', 'six')",
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('prunes feed rows older than the replay window; old cursors reset, recent ones replay', async () => {
    const scope = `channel:${general}`;
    const start = await (await SyncClient.connect(url, { token })).synced();
    const base = start.replica.cursors.get(scope) ?? 0;
    await start.close();
    // 1,010 feed entries (tombstones of ids nobody has) past the client's cursor.
    await getDb().transaction((tx) =>
      appendChanges(
        tx,
        scope,
        Array.from({ length: 1010 }, () => ({
          op: 'delete' as const,
          entity: 'message' as const,
          id: newId(),
        })),
      ),
    );
    const top = base + 1010;
    const deleted = await pruneFeed(getDb(), 1000);
    expect(deleted).toBe(top - 1000);
    const { rows } = await getDb().query<{ min: number; n: number }>(
      'SELECT min(version) AS min, count(*)::int AS n FROM feed WHERE scope = $1',
      [scope],
    );
    expect(Number(rows[0]?.min)).toBe(top - 999);
    expect(rows[0]?.n).toBe(1000);
    expect(await pruneFeed(getDb(), 1000)).toBe(0);

    // Behind the window: a reset to the current version.
    const old = await (
      await SyncClient.connect(url, { token, cursors: { [scope]: base } })
    ).synced();
    expect(old.frames.some((f) => f.type === 'reset' && f.scope === scope)).toBe(true);
    expect(old.replica.cursors.get(scope)).toBe(top);
    await old.close();
    // Inside it: exactly the missed versions.
    const recent = await (
      await SyncClient.connect(url, { token, cursors: { [scope]: top - 5 } })
    ).synced();
    const frames = recent.frames.filter((f) => 'scope' in f && f.scope === scope);
    expect(frames.map((f) => f.type)).toEqual(['changes']);
    expect(frames[0]).toMatchObject({ from: top - 5, to: top });
    await recent.close();
  });
  it('leaves nothing of POST /api/mutations past the retention, with or without a key', async () => {
    const { accessToken, user } = await registerUser(app, 'http-only');
    const post = (content: string, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/api/mutations',
        headers: { authorization: `Bearer ${accessToken}`, ...headers },
        payload: { name: 'message.send', args: { id: newId(), channelId: general, content } },
      });
    expect((await post('no key')).statusCode).toBe(200);
    expect((await post('keyed', { 'idempotency-key': 'http-only-1' })).statusCode).toBe(200);
    expect((await post(' ', { 'idempotency-key': 'http-only-2' })).statusCode).toBe(400);
    await getDb().query(
      `UPDATE client_mutations SET created_at = now() - interval '40 days' WHERE user_id = $1`,
      [user.id],
    );
    await getDb().query(
      `UPDATE api_idempotency SET created_at = now() - interval '40 days' WHERE user_id = $1`,
      [user.id],
    );
    const cutoff = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
    await pruneMutations(getDb(), cutoff);
    expect(await pruneIdempotencyKeys(getDb(), cutoff)).toBe(1);
    const left = await getDb().query(
      `SELECT 1 FROM client_mutations WHERE user_id = $1
       UNION ALL SELECT 1 FROM api_idempotency WHERE user_id = $1`,
      [user.id],
    );
    expect(left.rows).toHaveLength(0);
  });

  it('forgets Idempotency-Keys past the retention with their records; fresh keys still replay', async () => {
    const post = (key: string, content: string, id = newId()) =>
      app.inject({
        method: 'POST',
        url: '/api/mutations',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
        payload: { name: 'message.send', args: { id, channelId: general, content } },
      });
    const freshId = newId();
    expect((await post('old-key', 'old')).json()).toMatchObject({ replayed: false });
    expect((await post('fresh-key', 'kept by key', freshId)).json()).toMatchObject({
      replayed: false,
    });
    const { rows } = await getDb().query<{ client_id: string }>(
      `UPDATE api_idempotency SET created_at = now() - interval '40 days'
       WHERE key = 'old-key' RETURNING client_id`,
    );
    const oldClient = rows[0]?.client_id;
    const records = async (clientId: string | undefined) =>
      (await getDb().query('SELECT 1 FROM client_mutations WHERE client_id = $1', [clientId])).rows
        .length;
    expect(await records(oldClient)).toBe(1);

    const cutoff = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
    expect(await pruneIdempotencyKeys(getDb(), cutoff)).toBe(1);
    expect(await records(oldClient)).toBe(0);
    const keys = await getDb().query<{ key: string }>('SELECT key FROM api_idempotency');
    expect(keys.rows.map((r) => r.key)).toEqual(['fresh-key']);
    expect(await pruneIdempotencyKeys(getDb(), cutoff)).toBe(0);

    // The kept key still answers its record; the forgotten one is a new request.
    expect((await post('fresh-key', 'kept by key', freshId)).json()).toMatchObject({
      replayed: true,
    });
    const reused = await post('old-key', 'reused key');
    expect(reused.statusCode).toBe(200);
    expect(reused.json()).toMatchObject({ replayed: false });
    const sent = await getDb().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE content IN ('kept by key', 'reused key')",
    );
    expect(sent.rows[0]?.n).toBe(2);
  });
});
