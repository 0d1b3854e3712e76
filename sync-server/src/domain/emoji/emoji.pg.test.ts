import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { newId, type Emoji } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

const square = (size = 32) =>
  sharp({ create: { width: size, height: size, channels: 4, background: '#e33' } });

/** Random pixels do not compress: a PNG far over the 256 KB cap. */
const noisePng = (size: number) =>
  sharp(randomBytes(size * size * 3), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();

describeEachDb('custom emoji', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let owner: string;
  let member: string;
  let general: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
    member = (await registerUser(app, 'member')).accessToken;
    const { rows } = await getDb().query<{ id: string }>(
      "SELECT id FROM channels WHERE kind = 'text' AND name = 'general'",
    );
    general = rows[0]?.id ?? '';
  });
  afterAll(async () => {
    await app?.close();
  });

  const upload = (
    name: string,
    body: Buffer | string,
    token = owner,
    type = 'application/octet-stream',
  ) =>
    app.inject({
      method: 'POST',
      url: `/api/emoji?name=${encodeURIComponent(name)}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload: body,
    });
  const count = async () =>
    Number((await getDb().query<{ n: number }>('SELECT count(*) AS n FROM emojis')).rows[0]?.n);

  it('uploads PNG, GIF and WebP; serves them typed, nosniff, cached; replicates; usable in reactions', async () => {
    const watcher = await (await SyncClient.connect(url, { token: member })).synced();
    const png = await square().png().toBuffer();
    const res = await upload('party_cat', png, owner, 'image/png');
    expect(res.statusCode).toBe(201);
    const emoji = res.json<{ emoji: Emoji }>().emoji;
    expect(emoji).toMatchObject({
      name: 'party_cat',
      animated: false,
      url: `/api/emoji/${emoji.id}`,
    });
    const frame = await watcher.waitFor(
      (f) => f.type === 'changes' && f.changes.some((c) => c.entity === 'emoji'),
    );
    expect(frame).toMatchObject({ scope: 'community', changes: [{ op: 'upsert', data: emoji }] });

    const served = await app.inject({ method: 'GET', url: emoji.url });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(Buffer.compare(served.rawPayload, png)).toBe(0);

    const gif = await square().gif().toBuffer();
    const webp = await square().webp().toBuffer();
    // The declared type is ignored: the bytes say what it is.
    const gifRes = await upload('gif_one', gif, owner, 'image/png');
    expect(gifRes.statusCode).toBe(201);
    expect(
      (await app.inject({ method: 'GET', url: gifRes.json<{ emoji: Emoji }>().emoji.url })).headers[
        'content-type'
      ],
    ).toBe('image/gif');
    expect((await upload('webp_one', webp)).statusCode).toBe(201);

    const id = newId();
    expect(
      await watcher.mutate('message.send', { id, channelId: general, content: 'hi :party_cat:' }),
    ).toMatchObject({ type: 'ack' });
    expect(
      await watcher.mutate('reaction.toggle', { messageId: id, emoji: ':party_cat:', on: true }),
    ).toMatchObject({ type: 'ack' });
    await until(() => watcher.replica.messages.get(id)?.reactions[0]?.emoji === ':party_cat:');
    await watcher.close();
  });

  it('refuses wrong types, oversized files, bad and taken names, and members without the permission', async () => {
    const before = await count();
    const png = await square().png().toBuffer();
    const expectError = (res: Awaited<ReturnType<typeof upload>>, status: number, kind: string) => {
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ error: { kind } });
    };
    expectError(await upload('jpeg_one', await square().jpeg().toBuffer()), 400, 'invalid');
    expectError(
      await upload(
        'svg_one',
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        owner,
        'image/svg+xml',
      ),
      400,
      'invalid',
    );
    expectError(await upload('text_one', 'just text'), 400, 'invalid');
    expectError(await upload('empty_one', Buffer.alloc(0)), 400, 'invalid');
    // PNG magic followed by garbage: sniffed as PNG, but it does not decode.
    expectError(
      await upload('broken', Buffer.concat([png.subarray(0, 40), randomBytes(200)])),
      400,
      'invalid',
    );
    expectError(await upload('too_big', await noisePng(400)), 413, 'too_large');
    expectError(await upload('huge', await noisePng(700)), 413, 'too_large');
    for (const name of ['A', 'x', 'Has_Caps', 'with-dash', 'a'.repeat(33), 'emoji name', '']) {
      expectError(await upload(name, png), 400, 'invalid');
    }
    expectError(await upload('party_cat', png), 409, 'conflict');
    expectError(await upload('member_one', png, member), 403, 'forbidden');
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/emoji?name=anon_one',
      payload: png,
      headers: { 'content-type': 'image/png' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(await count()).toBe(before);
  });

  it('deletes (manage community only): the image is gone and replicas get a tombstone', async () => {
    const png = await square(16).png().toBuffer();
    const emoji = (await upload('to_delete', png)).json<{ emoji: Emoji }>().emoji;
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const refused = await app.inject({ method: 'DELETE', url: emoji.url, headers: auth(member) });
    expect(refused.statusCode).toBe(403);
    const watcher = await (await SyncClient.connect(url, { token: member })).synced();
    const gone = await app.inject({ method: 'DELETE', url: emoji.url, headers: auth(owner) });
    expect(gone.statusCode).toBe(204);
    await watcher.waitFor(
      (f) =>
        f.type === 'changes' &&
        f.changes.some((c) => c.op === 'delete' && c.entity === 'emoji' && c.id === emoji.id),
    );
    expect((await app.inject({ method: 'GET', url: emoji.url })).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: emoji.url, headers: auth(owner) })).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/emoji/not-a-uuid' })).statusCode).toBe(
      400,
    );
    // The name is free again.
    expect((await upload('to_delete', png)).statusCode).toBe(201);
    await watcher.close();
  });
});
