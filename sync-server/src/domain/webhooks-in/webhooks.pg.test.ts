import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { newId } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { redaction } from '../../logger.ts';

describeEachDb('incoming webhooks', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let owner: string;
  let bob: string;
  let general: string;
  const logs: string[] = [];

  beforeAll(async () => {
    // Every log line at info and above, as production writes them.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    app = await createTestApp(getDb(), {
      logger: pino({ level: 'info', ...redaction }, sink),
      webhookRate: { capacity: 3, windowMs: 3_600_000 },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
    bob = (await registerUser(app, 'bob')).accessToken;
    general = (
      await getDb().query<{ id: string }>("SELECT id FROM channels WHERE name = 'general'")
    ).rows[0]?.id as string;
  });
  afterAll(async () => {
    await app?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function createWebhook(channelId: string, name: string) {
    const res = await app.inject({
      method: 'POST',
      url: `/api/channels/${channelId}/webhooks`,
      headers: bearer(owner),
      payload: { name },
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ webhook: { id: string; authorId: string }; token: string; url: string }>();
  }

  const execute = (path: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: path, headers, payload: payload as object });

  const contentOf = async (authorId: string) =>
    (
      await getDb().query<{ content: string }>(
        'SELECT content FROM messages WHERE author_id = $1 ORDER BY seq',
        [authorId],
      )
    ).rows.map((r) => r.content);

  it('only managers create them; a Slack-format post appears for members as the webhook', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: `/api/channels/${general}/webhooks`,
      headers: bearer(bob),
      payload: { name: 'Nope' },
    });
    expect(refused.statusCode).toBe(403);
    const hook = await createWebhook(general, 'CI');
    expect(hook.url).toBe(`/api/webhooks/${hook.webhook.id}/${hook.token}`);
    const reader = await (await SyncClient.connect(url, { token: bob })).synced();
    const slack = await execute(hook.url, {
      text: '*build* passed',
      username: 'ignored',
      icon_url: 'http://169.254.169.254/latest',
      blocks: [{ type: 'section' }],
    });
    expect(slack.statusCode).toBe(200);
    const { message } = slack.json<{ message: { id: string; authorId: string } }>();
    expect(message.authorId).toBe(hook.webhook.authorId);
    await until(() => reader.replica.messages.get(message.id)?.content === '*build* passed');
    const author = await getDb().query<{ bot: string; display_name: string }>(
      'SELECT bot, display_name FROM users WHERE id = $1',
      [hook.webhook.authorId],
    );
    expect(author.rows[0]).toEqual({ bot: 'webhook', display_name: 'CI' });
    await reader.close();
    const list = await app.inject({
      method: 'GET',
      url: `/api/channels/${general}/webhooks`,
      headers: bearer(owner),
    });
    expect(list.json()).toMatchObject({ webhooks: [{ id: hook.webhook.id, name: 'CI' }] });
    expect(list.body).not.toContain(hook.token);
  });

  it('accepts a Discord-format post, with the token in a header too', async () => {
    const hook = await createWebhook(general, 'Alerts');
    const discord = await execute(hook.url, {
      content: 'disk **full**',
      username: 'x',
      avatar_url: 'http://127.0.0.1/a.png',
      embeds: [{ title: 'ignored' }],
    });
    expect(discord.statusCode).toBe(200);
    const header = await execute(
      `/api/webhooks/${hook.webhook.id}`,
      { content: 'via header' },
      { 'x-webhook-token': hook.token },
    );
    expect(header.statusCode).toBe(200);
    expect(await contentOf(hook.webhook.authorId)).toEqual(['disk **full**', 'via header']);
    for (const bad of [{}, { content: '   ' }, { text: 'x'.repeat(4001) }, { content: 5 }]) {
      const res = await execute(hook.url, bad);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { kind: 'invalid' } });
    }
  });

  it('a rotated token stops working; the new one posts', async () => {
    const hook = await createWebhook(general, 'Rotated');
    const rotated = await app.inject({
      method: 'POST',
      url: `/api/channels/${general}/webhooks/${hook.webhook.id}/token`,
      headers: bearer(owner),
    });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json<{ url: string; token: string }>();
    const old = await execute(hook.url, { text: 'old' });
    expect(old.statusCode).toBe(401);
    const oldHeader = await execute(
      `/api/webhooks/${hook.webhook.id}`,
      { text: 'old' },
      { 'x-webhook-token': hook.token },
    );
    expect(oldHeader.statusCode).toBe(401);
    expect((await execute(`/api/webhooks/${hook.webhook.id}`, { text: 'none' })).statusCode).toBe(
      401,
    );
    expect((await execute(fresh.url, { text: 'new' })).statusCode).toBe(200);
    expect(await contentOf(hook.webhook.authorId)).toEqual(['new']);
  });

  it('is rate-limited per webhook: 429 with Retry-After, other webhooks unaffected', async () => {
    const busy = await createWebhook(general, 'Busy');
    const calm = await createWebhook(general, 'Calm');
    for (let i = 0; i < 3; i++) {
      expect((await execute(busy.url, { text: `n${i}` })).statusCode).toBe(200);
    }
    const limited = await execute(busy.url, { text: 'too many' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { kind: 'rate_limited' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await contentOf(busy.webhook.authorId)).toEqual(['n0', 'n1', 'n2']);
    expect((await execute(calm.url, { text: 'fine' })).statusCode).toBe(200);
  });

  it('deleting a channel removes its webhooks; deleting a webhook stops it', async () => {
    const channelId = newId();
    const created = await app.inject({
      method: 'POST',
      url: '/api/mutations',
      headers: bearer(owner),
      payload: { name: 'channel.create', args: { id: channelId, kind: 'text', name: 'ops' } },
    });
    expect(created.statusCode).toBe(200);
    const hook = await createWebhook(channelId, 'Ops');
    expect((await execute(hook.url, { text: 'before' })).statusCode).toBe(200);
    const deleted = await app.inject({
      method: 'POST',
      url: '/api/mutations',
      headers: bearer(owner),
      payload: { name: 'channel.delete', args: { id: channelId } },
    });
    expect(deleted.statusCode).toBe(200);
    const rows = await getDb().query('SELECT 1 FROM incoming_webhooks WHERE channel_id = $1', [
      channelId,
    ]);
    expect(rows.rows).toHaveLength(0);
    expect((await execute(hook.url, { text: 'after' })).statusCode).toBe(401);

    const other = await createWebhook(general, 'Short-lived');
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/channels/${general}/webhooks/${other.webhook.id}`,
      headers: bearer(owner),
    });
    expect(del.statusCode).toBe(204);
    expect((await execute(other.url, { text: 'gone' })).statusCode).toBe(401);
  });

  it('never logs a webhook or bot token', async () => {
    const hook = await createWebhook(general, 'Quiet');
    await execute(hook.url, { text: 'logged?' });
    await execute(
      `/api/webhooks/${hook.webhook.id}`,
      { text: 'h' },
      { 'x-webhook-token': hook.token },
    );
    const bot = await app.inject({
      method: 'POST',
      url: '/api/bots',
      headers: bearer(owner),
      payload: { name: 'Logged bot' },
    });
    const botToken = bot.json<{ token: string }>().token;
    await app.inject({
      method: 'GET',
      url: '/api/profile',
      headers: { authorization: `Bot ${botToken}` },
    });
    const text = logs.join('');
    // Requests were logged (the bot's), yet no secret is in them.
    expect(text).toContain('/api/profile');
    expect(text).not.toContain(hook.token);
    expect(text).not.toContain(botToken.slice(-43));
    expect(text).not.toContain(owner);
  });
});
