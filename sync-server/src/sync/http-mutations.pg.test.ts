import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';

describeEachDb('POST /api/mutations', (getDb) => {
  let app: FastifyInstance;
  let owner: string;
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    owner = (await registerUser(app, 'owner')).accessToken;
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND name = 'general'",
    );
    general = rows[0]?.id ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/mutations',
      headers: { authorization: `Bearer ${owner}`, ...headers },
      payload: payload as object,
    });

  const count = async (id: string) =>
    (await getDb().query('SELECT 1 FROM messages WHERE id = $1', [id])).rows.length;

  it('a replay with the same Idempotency-Key and body is applied once, with the same answer', async () => {
    const id = newId();
    const body = { name: 'message.send', args: { id, channelId: general, content: 'once' } };
    const key = { 'idempotency-key': `send-${id}` };
    const first = await post(body, key);
    expect(first.statusCode).toBe(200);
    const answer = first.json<{ scope: string; version: number; replayed: boolean }>();
    expect(answer).toMatchObject({ ok: true, scope: `channel:${general}`, replayed: false });
    const version = (
      await getDb().query<{ version: string }>('SELECT version FROM scopes WHERE scope = $1', [
        `channel:${general}`,
      ])
    ).rows[0]?.version;
    // The same body with its keys in another order is the same request.
    const again = await post(
      { args: { content: 'once', channelId: general, id }, name: 'message.send' },
      key,
    );
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...answer, replayed: true });
    expect(await count(id)).toBe(1);
    const after = (
      await getDb().query<{ version: string }>('SELECT version FROM scopes WHERE scope = $1', [
        `channel:${general}`,
      ])
    ).rows[0]?.version;
    expect(after).toBe(version);
  });

  it('concurrent requests with one key apply once', async () => {
    const id = newId();
    const body = { name: 'message.send', args: { id, channelId: general, content: 'race' } };
    const key = { 'idempotency-key': `race-${id}` };
    const answers = await Promise.all([post(body, key), post(body, key), post(body, key)]);
    for (const a of answers) expect(a.statusCode).toBe(200);
    expect(new Set(answers.map((a) => a.json<{ version: number }>().version)).size).toBe(1);
    expect(await count(id)).toBe(1);
  });

  it('the same key with another body is refused 422, nothing applied', async () => {
    const key = { 'idempotency-key': 'reused-key' };
    const id = newId();
    expect(
      (await post({ name: 'message.send', args: { id, channelId: general, content: 'a' } }, key))
        .statusCode,
    ).toBe(200);
    const other = newId();
    const res = await post(
      { name: 'message.send', args: { id: other, channelId: general, content: 'b' } },
      key,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { kind: 'conflict' } });
    expect(await count(other)).toBe(0);
  });

  const records = async () =>
    (
      await getDb().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM client_mutations m JOIN users u ON u.id = m.user_id
         WHERE u.username = 'owner'`,
      )
    ).rows[0]?.n;

  it('a request without a key, applied or refused, leaves no mutation record', async () => {
    const before = await records();
    const id = newId();
    const sent = await post({
      name: 'message.send',
      args: { id, channelId: general, content: 'k' },
    });
    expect(sent.statusCode).toBe(200);
    expect(await count(id)).toBe(1);
    const refused = await post({
      name: 'message.send',
      args: { id: newId(), channelId: newId(), content: 'nowhere' },
    });
    expect(refused.statusCode).toBe(404);
    expect(await records()).toBe(before);
  });

  it('a refused request frees its key: the same request succeeds once it is allowed', async () => {
    const channelId = newId();
    const id = newId();
    const body = { name: 'message.send', args: { id, channelId, content: 'early' } };
    const key = { 'idempotency-key': `early-${id}` };
    const before = await records();
    const refused = await post(body, key);
    expect(refused.statusCode).toBe(404);
    const kept = await getDb().query('SELECT 1 FROM api_idempotency WHERE key = $1', [
      key['idempotency-key'],
    ]);
    expect(kept.rows).toHaveLength(0);
    expect(await records()).toBe(before);
    const made = await post({
      name: 'channel.create',
      args: { id: channelId, kind: 'text', name: 'late' },
    });
    expect(made.statusCode).toBe(200);
    const retried = await post(body, key);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ ok: true, replayed: false });
    expect(await count(id)).toBe(1);
    // Applied, the key holds: a replay is answered from the record.
    expect((await post(body, key)).json()).toMatchObject({ ok: true, replayed: true });
    expect(await count(id)).toBe(1);
  });

  it('answers client mistakes with 4xx and the shared error kinds', async () => {
    const send = { name: 'message.send', args: { id: newId(), channelId: general, content: 'x' } };
    const cases: {
      res: Promise<{ statusCode: number; json: () => unknown }>;
      status: number;
      kind: string;
    }[] = [
      { res: post(send, { 'idempotency-key': 'k'.repeat(256) }), status: 400, kind: 'invalid' },
      {
        res: post(send, { 'idempotency-key': 'spaces are not allowed' }),
        status: 400,
        kind: 'invalid',
      },
      { res: post({ name: 'no.such', args: {} }), status: 400, kind: 'invalid' },
      { res: post({ name: 'typing', args: { channelId: general } }), status: 400, kind: 'invalid' },
      { res: post({ name: 'message.send', args: { id: 'nope' } }), status: 400, kind: 'invalid' },
      { res: post({ name: 'message.send' }), status: 400, kind: 'invalid' },
      { res: post({ name: 'message.send', args: {}, extra: 1 }), status: 400, kind: 'invalid' },
      {
        res: post({
          name: 'message.send',
          args: { id: newId(), channelId: newId(), content: 'x' },
        }),
        status: 404,
        kind: 'not_found',
      },
      {
        res: app.inject({
          method: 'POST',
          url: '/api/mutations',
          headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
          payload: '{"name":',
        }),
        status: 400,
        kind: 'invalid',
      },
      {
        res: app.inject({ method: 'POST', url: '/api/mutations', payload: send }),
        status: 401,
        kind: 'unauthorized',
      },
    ];
    for (const c of cases) {
      const res = await c.res;
      expect(res.statusCode, JSON.stringify(res.json())).toBe(c.status);
      expect(res.json()).toMatchObject({ error: { kind: c.kind } });
    }
  });

  it('is documented in OpenAPI with its request and response schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<
        string,
        { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }
      >;
    }>();
    const op = doc.paths['/api/mutations']?.post;
    expect(op?.requestBody).toBeDefined();
    expect(op?.responses?.['200']).toBeDefined();
    expect(doc.paths['/api/webhooks/{id}/{token}']?.post).toBeDefined();
    expect(doc.paths['/api/bots']?.post).toBeDefined();
  });
});

describeEachDb('POST /api/mutations rate limit', (getDb) => {
  let app: FastifyInstance;
  let owner: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 2, windowMs: 3_600_000 } },
    });
    owner = (await registerUser(app, 'owner')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('past the send rate', () => {
    it('answers 429 with Retry-After, and frees the key for a later retry', async () => {
      const general = (
        await getDb().query<{ id: string }>("SELECT id FROM channels WHERE name = 'general'")
      ).rows[0]?.id;
      const send = (key: string) =>
        app.inject({
          method: 'POST',
          url: '/api/mutations',
          headers: { authorization: `Bearer ${owner}`, 'idempotency-key': key },
          payload: {
            name: 'message.send',
            args: { id: newId(), channelId: general, content: key },
          },
        });
      expect((await send('one')).statusCode).toBe(200);
      expect((await send('two')).statusCode).toBe(200);
      const limited = await send('three');
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ error: { kind: 'rate_limited' } });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const key = await getDb().query('SELECT 1 FROM api_idempotency WHERE key = $1', ['three']);
      expect(key.rows).toHaveLength(0);
      // Nor is its refusal's record kept: only the two applied requests have one.
      const records = await getDb().query<{ n: number }>(
        'SELECT count(*)::int AS n FROM client_mutations',
      );
      expect(records.rows[0]?.n).toBe(2);
    });
  });
});
