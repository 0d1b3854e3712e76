import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import sharp from 'sharp';
import { newId } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { redaction } from '../../logger.ts';

const UPLOAD_CAP = 64 * 1024;

const png = () =>
  sharp({ create: { width: 8, height: 6, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();

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
      config: { maxUploadBytes: UPLOAD_CAP },
      // Preview jobs stay queued for the test to see (no worker round runs).
      linkPreviews: { pollMs: 0 },
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

  it("accepts Slack's form-encoded `payload=`; refuses bad and huge forms with 4xx", async () => {
    const hook = await createWebhook(general, 'Slack form');
    const form = (body: string) =>
      app.inject({
        method: 'POST',
        url: hook.url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
      });
    const json = JSON.stringify({ text: 'deploy *done* & ok', username: 'ignored' });
    const posted = await form(`payload=${encodeURIComponent(json)}`);
    expect(posted.statusCode).toBe(200);
    expect(await contentOf(hook.webhook.authorId)).toEqual(['deploy *done* & ok']);
    const refusals: [string, number][] = [
      ['text=no+payload+field', 400],
      ['payload=%7Bnot+json', 400],
      [`payload=${encodeURIComponent('{"__proto__":{"x":1},"text":"p"}')}`, 400],
      [`payload=${encodeURIComponent('"just a string"')}`, 400],
      [`payload=${encodeURIComponent(JSON.stringify({ text: 5 }))}`, 400],
      [`payload=${'x'.repeat(300 * 1024)}`, 413],
    ];
    for (const [body, status] of refusals) {
      const res = await form(body);
      expect(res.statusCode, body.slice(0, 40)).toBe(status);
      expect(res.json<{ error: { kind: string } }>().error.kind).toMatch(/^(invalid|too_large)$/);
    }
    expect(await contentOf(hook.webhook.authorId)).toEqual(['deploy *done* & ok']);
  });

  it("takes Discord's multipart files through the upload pipeline; refuses bad forms", async () => {
    const hook = await createWebhook(general, 'Uploader');
    const send = async (form: FormData) => {
      const res = await fetch(`${url}${hook.url}`, { method: 'POST', body: form });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const blob = (bytes: Uint8Array | string, type: string) =>
      new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type });

    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'build log', embeds: [] }));
    form.append('files[0]', blob(await png(), 'text/plain'), 'shot.png');
    // Claimed an image, is markup: named for what it is.
    form.append('files[1]', blob('<html><script>x</script>', 'image/png'), 'log.png');
    const posted = await send(form);
    expect(posted.status).toBe(200);
    const { message } = posted.body as {
      message: { id: string; content: string; attachments: { id: string; contentType: string }[] };
    };
    expect(message.content).toBe('build log');
    expect(message.attachments.map((a) => a.contentType)).toEqual(['image/png', 'text/html']);
    const files = await getDb().query<{ owner_id: string; message_id: string }>(
      'SELECT owner_id, message_id FROM files WHERE id = ANY($1::uuid[])',
      [message.attachments.map((a) => a.id)],
    );
    expect(files.rows).toEqual([
      { owner_id: hook.webhook.authorId, message_id: message.id },
      { owner_id: hook.webhook.authorId, message_id: message.id },
    ]);
    const seen = await app.inject({
      url: `/api/files/${message.attachments[0]?.id ?? ''}`,
      headers: bearer(bob),
    });
    expect(seen.statusCode).toBe(200);

    // Files alone, with plain fields instead of payload_json: a blank caption.
    const bare = new FormData();
    bare.append('username', 'ignored');
    bare.append('file', blob(await png(), 'image/png'), 'a.png');
    expect((await send(bare)).status).toBe(200);

    const before = await getDb().query('SELECT count(*)::int AS n FROM files');
    const huge = new FormData();
    huge.append('content', 'too big');
    huge.append('files[0]', blob('x'.repeat(UPLOAD_CAP + 1), 'text/plain'), 'big.txt');
    const eleven = new FormData();
    for (let i = 0; i < 11; i++) eleven.append(`files[${i}]`, blob(`f${i}`, 'text/plain'), 'f');
    const badJson = new FormData();
    badJson.append('payload_json', '{"content":');
    badJson.append('files[0]', blob('x', 'text/plain'), 'x.txt');
    const empty = new FormData();
    empty.append('content', '   ');
    const longField = new FormData();
    longField.append('payload_json', JSON.stringify({ content: 'x'.repeat(70 * 1024) }));
    for (const [bad, status] of [
      [huge, 413],
      [eleven, 413],
      [badJson, 400],
      [empty, 400],
      [longField, 413],
    ] as const) {
      const res = await send(bad);
      expect(res.status).toBe(status);
      expect(res.body).toHaveProperty('error');
    }
    const wrongToken = await fetch(`${url}/api/webhooks/${hook.webhook.id}/nope`, {
      method: 'POST',
      body: form,
    });
    expect(wrongToken.status).toBe(401);
    expect(await getDb().query('SELECT count(*)::int AS n FROM files')).toEqual(before);
    expect(await contentOf(hook.webhook.authorId)).toEqual(['build log', '']);
  });

  it("queues link previews for a webhook's post, as for a member's", async () => {
    const hook = await createWebhook(general, 'Linker');
    const res = await execute(hook.url, { text: 'status at https://status.example.com/today' });
    expect(res.statusCode).toBe(200);
    const { message } = res.json<{ message: { id: string } }>();
    const jobs = await getDb().query<{ urls: string[] }>(
      'SELECT urls FROM link_preview_jobs WHERE message_id = $1',
      [message.id],
    );
    expect(jobs.rows).toEqual([{ urls: ['https://status.example.com/today'] }]);
  });

  it('never fetches URLs a JSON payload names (avatars, embeds, attachments)', async () => {
    let hits = 0;
    const target = createServer((_req, res) => {
      hits++;
      res.end('no');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const address = target.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const hook = await createWebhook(general, 'Linky');
    const res = await execute(hook.url, {
      content: 'see attached',
      avatar_url: `${base}/avatar.png`,
      embeds: [{ image: { url: `${base}/embed.png` }, thumbnail: { url: `${base}/t.png` } }],
      attachments: [{ url: `${base}/file.bin` }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ message: { attachments: unknown[] } }>().message.attachments).toEqual([]);
    // The post has been answered; any fetch it started would have reached the server by now.
    await new Promise<void>((resolve) => target.close(() => resolve()));
    expect(hits).toBe(0);
  });

  it('managers set and remove bot and webhook avatars from uploads; replicas learn them', async () => {
    const uploadAs = async (token: string) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(await png())], { type: 'image/png' }), 'a.png');
      const res = await fetch(`${url}/api/uploads`, {
        method: 'POST',
        body: form,
        headers: bearer(token),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { file: { id: string } }).file.id;
    };
    const put = (path: string, token: string, avatarUploadId: string | null) =>
      app.inject({ method: 'PUT', url: path, headers: bearer(token), payload: { avatarUploadId } });
    const made = await app.inject({
      method: 'POST',
      url: '/api/bots',
      headers: bearer(owner),
      payload: { name: 'Pictured' },
    });
    const botId = made.json<{ bot: { id: string } }>().bot.id;
    const hook = await createWebhook(general, 'Pictured hook');
    const hookPath = `/api/channels/${general}/webhooks/${hook.webhook.id}/avatar`;
    const reader = await (await SyncClient.connect(url, { token: bob })).synced();

    const bobsUpload = await uploadAs(bob);
    expect((await put(`/api/bots/${botId}/avatar`, bob, bobsUpload)).statusCode).toBe(403);
    expect((await put(hookPath, bob, bobsUpload)).statusCode).toBe(403);
    // Another person's upload is not the caller's to use.
    expect((await put(`/api/bots/${botId}/avatar`, owner, bobsUpload)).statusCode).toBe(404);
    expect((await put(`/api/bots/${newId()}/avatar`, owner, null)).statusCode).toBe(404);
    expect((await put(hookPath, owner, 'not-a-uuid')).statusCode).toBe(400);

    const bot = await put(`/api/bots/${botId}/avatar`, owner, await uploadAs(owner));
    expect(bot.statusCode).toBe(200);
    const botAvatar = bot.json<{ bot: { avatarUrl: string } }>().bot.avatarUrl;
    expect(botAvatar).toMatch(/^\/api\/files\//);
    await until(() => reader.replica.memberRows.get(botId)?.avatarUrl === botAvatar);

    const set = await put(hookPath, owner, await uploadAs(owner));
    expect(set.statusCode).toBe(200);
    const hookAvatar = set.json<{ webhook: { avatarUrl: string } }>().webhook.avatarUrl;
    expect(hookAvatar).toMatch(/^\/api\/files\//);
    const formerAvatar = () =>
      reader.frames
        .flatMap((f) => (f.type === 'changes' ? f.changes : []))
        .filter((c) => c.op === 'upsert' && c.entity === 'formerMember')
        .map((c) => (c.op === 'upsert' ? (c.data as { avatarUrl: string | null }) : null))
        .at(-1)?.avatarUrl;
    await until(() => formerAvatar() === hookAvatar);
    const avatarSeen = await app.inject({ url: hookAvatar, headers: bearer(bob) });
    expect(avatarSeen.statusCode).toBe(200);
    expect(avatarSeen.headers['content-type']).toBe('image/webp');

    const removed = await put(hookPath, owner, null);
    expect(removed.json<{ webhook: { avatarUrl: null } }>().webhook.avatarUrl).toBeNull();
    await until(() => formerAvatar() === null);
    await reader.close();
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
