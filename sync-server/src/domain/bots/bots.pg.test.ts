import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, Permission } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

describeEachDb('bot accounts', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let owner: string;
  let bob: string;
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
    bob = (await registerUser(app, 'bob')).accessToken;
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND name = 'general'",
    );
    general = rows[0]?.id ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const botAuth = (token: string) => ({ authorization: `Bot ${token}` });

  async function createBot(name: string): Promise<{ id: string; token: string }> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/bots',
      headers: bearer(owner),
      payload: { name },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ bot: { id: string; name: string }; token: string }>();
    expect(body.bot.name).toBe(name);
    return { id: body.bot.id, token: body.token };
  }

  const mutate = (headers: Record<string, string>, name: string, args: unknown) =>
    app.inject({ method: 'POST', url: '/api/mutations', headers, payload: { name, args } });

  const messageCount = async (channelId: string) =>
    Number(
      (
        await getDb().query<{ n: string }>(
          'SELECT count(*) AS n FROM messages WHERE channel_id = $1',
          [channelId],
        )
      ).rows[0]?.n,
    );

  it('creates a bot for managers only; the token is shown once and stored hashed', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/api/bots',
      headers: bearer(bob),
      payload: { name: 'Nope' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { kind: 'forbidden' } });
    const { id, token } = await createBot('Deploy bot');
    const { rows } = await getDb().query<{ token_hash: string; bot: string }>(
      'SELECT t.token_hash, u.bot FROM bot_tokens t JOIN users u ON u.id = t.user_id WHERE u.id = $1',
      [id],
    );
    expect(rows[0]?.bot).toBe('bot');
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(rows[0]?.token_hash ?? 'x');
    const list = await app.inject({ method: 'GET', url: '/api/bots', headers: bearer(owner) });
    expect(JSON.stringify(list.json())).not.toContain(token.slice(-43));
    // It is a member marked as a bot, and cannot log in with a password.
    const profile = await app.inject({
      method: 'GET',
      url: '/api/profile',
      headers: botAuth(token),
    });
    expect(profile.json()).toMatchObject({ member: { id, bot: 'bot', displayName: 'Deploy bot' } });
    const username = profile.json<{ member: { username: string } }>().member.username;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: '!' },
    });
    expect(login.statusCode).toBe(401);
  });

  it("enforces the bot's scope: no send permission in a channel is refused, nothing written", async () => {
    const { id: botId, token } = await createBot('Scoped bot');
    const quiet = newId();
    expect(
      (await mutate(bearer(owner), 'channel.create', { id: quiet, kind: 'text', name: 'quiet' }))
        .statusCode,
    ).toBe(200);
    const everyone = (await getDb().query<{ id: string }>('SELECT id FROM roles WHERE is_everyone'))
      .rows[0]?.id;
    const deny = await mutate(bearer(owner), 'channel.overrides', {
      channelId: quiet,
      targetType: 'role',
      targetId: everyone,
      allow: 0,
      deny: Permission.sendMessages,
    });
    expect(deny.statusCode).toBe(200);
    const before = await messageCount(quiet);
    const refused = await mutate(botAuth(token), 'message.send', {
      id: newId(),
      channelId: quiet,
      content: 'should not land',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { kind: 'forbidden' } });
    expect(await messageCount(quiet)).toBe(before);
    // Where @everyone may send, the bot may too, as itself.
    const id = newId();
    const sent = await mutate(botAuth(token), 'message.send', {
      id,
      channelId: general,
      content: 'hello from a bot',
    });
    expect(sent.statusCode).toBe(200);
    const { rows } = await getDb().query<{ author_id: string }>(
      'SELECT author_id FROM messages WHERE id = $1',
      [id],
    );
    expect(rows[0]?.author_id).toBe(botId);
  });

  it('holds a sync socket with its token (in the auth frame) and sends', async () => {
    const { token } = await createBot('Socket bot');
    const client = await (await SyncClient.connect(url, { token })).synced();
    const id = newId();
    expect(
      await client.mutate('message.send', { id, channelId: general, content: 'over the socket' }),
    ).toMatchObject({ type: 'ack' });
    await until(() => client.replica.messages.has(id));
    await client.close();
  });

  it('a rotated token stops working; a deleted bot is refused and is no longer a member', async () => {
    const { id, token } = await createBot('Rotating bot');
    const rotated = await app.inject({
      method: 'POST',
      url: `/api/bots/${id}/token`,
      headers: bearer(owner),
    });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json<{ token: string }>().token;
    expect(fresh).not.toBe(token);
    const old = await app.inject({ method: 'GET', url: '/api/profile', headers: botAuth(token) });
    expect(old.statusCode).toBe(401);
    const now = await app.inject({ method: 'GET', url: '/api/profile', headers: botAuth(fresh) });
    expect(now.statusCode).toBe(200);
    // A forged token (right id, wrong secret) and garbage are refused alike.
    const forged = `${fresh.slice(0, -43)}${'A'.repeat(43)}`;
    for (const bad of [forged, 'ebot_nonsense', 'x'.repeat(300)]) {
      const res = await app.inject({ method: 'GET', url: '/api/profile', headers: botAuth(bad) });
      expect(res.statusCode).toBe(401);
    }
    const byBob = await app.inject({
      method: 'DELETE',
      url: `/api/bots/${id}`,
      headers: bearer(bob),
    });
    expect(byBob.statusCode).toBe(403);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/bots/${id}`,
      headers: bearer(owner),
    });
    expect(del.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/api/profile', headers: botAuth(fresh) });
    expect(after.statusCode).toBe(401);
    const member = await getDb().query('SELECT 1 FROM members WHERE user_id = $1', [id]);
    expect(member.rows).toHaveLength(0);
  });
});
