import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, Permission } from '@echora/shared';
import type { AroundResponse, SearchResponse } from '@echora/shared/protocol/rest/search';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';
import { backfillSearch } from './backfill.ts';
import { SEARCH_PAGE } from './find.ts';
import { SEARCHES_PER_MINUTE } from './routes.ts';

describeEachDb('search', (getDb) => {
  let app: FastifyInstance;
  let alice: SyncClient;
  let tokens: Record<'alice' | 'bob' | 'carol', string>;
  let bobId: string;
  let general: string;
  let secret: string;
  let url: string;

  const send = async (channelId: string, content: string, by = alice): Promise<string> => {
    const id = newId();
    expect(await by.mutate('message.send', { id, channelId, content })).toMatchObject({
      type: 'ack',
    });
    return id;
  };
  const search = async (who: keyof typeof tokens, q: string, cursor?: string) => {
    const query = new URLSearchParams({ q, ...(cursor ? { cursor } : {}) });
    return app.inject({
      url: `/api/search?${query.toString()}`,
      headers: { authorization: `Bearer ${tokens[who]}` },
    });
  };
  const found = async (who: keyof typeof tokens, q: string): Promise<string[]> => {
    const res = await search(who, q);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json<SearchResponse>().results ?? []).map((r) => r.message.id);
  };

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    const c = await registerUser(app, 'carol');
    tokens = { alice: a.accessToken, bob: b.accessToken, carol: c.accessToken };
    bobId = b.user.id;
    alice = await (await SyncClient.connect(url, { token: a.accessToken })).synced();
    general = [...alice.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
    // A channel only alice (the owner) sees: @everyone is denied view.
    secret = newId();
    await alice.mutate('channel.create', { id: secret, kind: 'text', name: 'plans' });
    const everyone = [...alice.replica.roles.values()].find((r) => r.isEveryone)?.id ?? '';
    expect(
      await alice.mutate('channel.overrides', {
        channelId: secret,
        targetType: 'role',
        targetId: everyone,
        allow: 0,
        deny: Permission.viewChannel,
      }),
    ).toMatchObject({ type: 'ack' });
  });
  afterAll(async () => {
    await alice?.close();
    await app?.close();
  });

  it('finds words whatever their case and accents, CJK text and emoji', async () => {
    const cafe = await send(general, 'Rendez-vous au Café Crème');
    const tokyo = await send(general, '明日は東京都に行きます');
    const korean = await send(general, '한국어 텍스트 입니다');
    const pizza = await send(general, 'dinner 🍕 tonight ❤️');
    expect(await found('bob', 'cafe')).toEqual([cafe]);
    expect(await found('bob', 'CAFÉ crème')).toEqual([cafe]);
    expect(await found('bob', '東京')).toEqual([tokyo]);
    expect(await found('bob', '東京都')).toEqual([tokyo]);
    expect(await found('bob', '京都に')).toEqual([tokyo]);
    expect(await found('bob', '東')).toEqual([tokyo]);
    expect(await found('bob', '大阪')).toEqual([]);
    expect(await found('bob', '텍스트')).toEqual([korean]);
    expect(await found('bob', '🍕')).toEqual([pizza]);
    expect(await found('bob', '❤')).toEqual([pizza]);
    const res = await search('bob', 'café');
    expect(res.json<SearchResponse>().results[0]?.snippet).toEqual([
      { text: 'Rendez-vous au ', hit: false },
      { text: 'Café', hit: true },
      { text: ' Crème', hit: false },
    ]);
  });

  it('never finds a message in a channel the user cannot see, not even through a filter', async () => {
    const open = await send(general, 'zebra crossing at noon');
    const hidden = await send(secret, 'zebra layoffs march: the hidden plan');
    expect(new Set(await found('alice', 'zebra'))).toEqual(new Set([open, hidden]));
    for (const q of ['zebra', 'layoffs', 'in:plans', 'hidden plan', 'from:alice zebra', 'march']) {
      const res = await search('bob', q);
      expect(res.statusCode).toBe(200);
      // Nothing of the hidden message: no id, no snippet text, no count.
      expect(res.body).not.toContain(hidden);
      expect(res.body).not.toContain('layoffs');
    }
    expect(await found('bob', 'zebra')).toEqual([open]);
    expect(await found('bob', 'in:plans')).toEqual([]);
  });

  it('combines filters and phrases', async () => {
    const b = await (await SyncClient.connect(url, { token: tokens.bob })).synced();
    const link = await send(general, 'release notes at https://example.com/notes');
    const phrase = await send(general, 'the release train leaves', b);
    const other = await send(general, 'train the release crew');
    const mention = await send(general, `release party, <@${bobId}> bring snacks`);
    const pinned = await send(general, 'release checklist');
    await alice.mutate('message.pin', { id: pinned, pinned: true });
    const old = await send(general, 'release of 2020');
    await getDb().query("UPDATE messages SET created_at = '2020-06-01T12:00:00Z' WHERE id = $1", [
      old,
    ]);
    const image = await send(general, 'release screenshot');
    await getDb().query(
      `UPDATE messages SET attachments = '[{"contentType":"image/png","name":"a.png"}]' WHERE id = $1`,
      [image],
    );
    expect(await found('carol', 'release has:link')).toEqual([link]);
    expect(await found('carol', '"release train"')).toEqual([phrase]);
    expect(new Set(await found('carol', 'release train'))).toEqual(new Set([phrase, other]));
    expect(await found('carol', 'release from:@bob')).toEqual([phrase]);
    expect(await found('carol', 'from:bob in:#general train')).toEqual([phrase]);
    expect(await found('carol', 'release in:plans')).toEqual([]);
    expect(await found('carol', 'mentions:bob')).toEqual([mention]);
    expect(await found('carol', 'release pinned:true')).toEqual([pinned]);
    expect(await found('carol', 'release before:2021-01-01')).toEqual([old]);
    expect(await found('carol', 'release after:2021-01-01 before:2020-01-01')).toEqual([]);
    expect(await found('carol', 'has:image')).toEqual([image]);
    expect(await found('carol', 'has:file release')).toEqual([image]);
    expect(await found('carol', 'release has:image has:link')).toEqual([]);
    await b.close();
  });

  it('follows edits and deletes in the writing transaction', async () => {
    const id = await send(general, 'the quokka sleeps');
    expect(await found('bob', 'quokka')).toEqual([id]);
    await alice.mutate('message.edit', { id, content: 'the wombat sleeps' });
    expect(await found('bob', 'quokka')).toEqual([]);
    expect(await found('bob', 'wombat')).toEqual([id]);
    await alice.mutate('message.delete', { id });
    expect(await found('bob', 'wombat')).toEqual([]);
    const { rows } = await getDb().query<{ search: unknown }>(
      'SELECT search FROM messages WHERE id = $1',
      [id],
    );
    expect(rows[0]?.search).toBeNull();
  });

  it('pages by cursor, best match first, without repeats', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < SEARCH_PAGE + 5; i++)
      ids.add(await send(general, `pagingword number ${i}`));
    const strong = await send(general, 'pagingword pagingword pagingword');
    const first = (await search('bob', 'pagingword')).json<SearchResponse>();
    expect(first.results).toHaveLength(SEARCH_PAGE);
    expect(first.results[0]?.message.id).toBe(strong);
    expect(first.nextCursor).not.toBeNull();
    const second = (
      await search('bob', 'pagingword', first.nextCursor ?? '')
    ).json<SearchResponse>();
    expect(second.nextCursor).toBeNull();
    const all = [...first.results, ...second.results].map((r) => r.message.id);
    expect(new Set(all)).toEqual(new Set([...ids, strong]));
    expect(all).toHaveLength(ids.size + 1);
  });

  it('refuses malformed queries with a typed 400, and strangers with 401', async () => {
    for (const q of ['', '   ', 'a\u0007b', 'x'.repeat(300), 'has:video', 'before:2026-13-01']) {
      const res = await search('bob', q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json()).toMatchObject({ error: { kind: 'invalid' } });
    }
    const bad = await search('bob', 'zebra', 'not-a-cursor');
    expect(bad.statusCode).toBe(400);
    const anon = await app.inject({ url: '/api/search?q=zebra' });
    expect(anon.statusCode).toBe(401);
  });

  it('rate limits searches per user', async () => {
    const dave = (await registerUser(app, 'dave')).accessToken;
    const once = () =>
      app.inject({ url: '/api/search?q=x', headers: { authorization: `Bearer ${dave}` } });
    const statuses: number[] = [];
    // The bucket refills with time; a frozen clock keeps a slow machine from refilling it.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    let last;
    try {
      for (let i = 0; i < SEARCHES_PER_MINUTE; i++) statuses.push((await once()).statusCode);
      last = await once();
    } finally {
      vi.useRealTimers();
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(last.statusCode).toBe(429);
    expect(last.json()).toMatchObject({ error: { kind: 'rate_limited' } });
    // Another user is not held back by dave.
    expect((await search('bob', 'x')).statusCode).toBe(200);
  });

  it('indexes messages written before search existed', async () => {
    const id = newId();
    await getDb().query(
      `INSERT INTO messages (id, channel_id, author_id, content, seq)
       SELECT $1, $2, author_id, 'legacy platypus text', 1000000 FROM messages LIMIT 1`,
      [id, general],
    );
    expect(await found('bob', 'platypus')).toEqual([]);
    expect(await backfillSearch(getDb())).toBe(1);
    expect(await found('bob', 'platypus')).toEqual([id]);
  });

  it('loads the history around a message, and hides it from those who may not see it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await send(secret, `around ${i}`));
    const target = ids[5] ?? '';
    const path = `/api/channels/${secret}/messages?around=${target}&limit=3`;
    const res = await app.inject({
      url: path,
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    expect(res.statusCode).toBe(200);
    const page = res.json<AroundResponse>();
    expect(page.messages.map((m) => m.id)).toEqual(ids.slice(2, 9));
    expect(page).toMatchObject({ hasBefore: true, hasAfter: true });
    const bob = await app.inject({ url: path, headers: { authorization: `Bearer ${tokens.bob}` } });
    expect(bob.statusCode).toBe(404);
    const elsewhere = await app.inject({
      url: `/api/channels/${general}/messages?around=${target}`,
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    expect(elsewhere.statusCode).toBe(404);
    const edge = await app.inject({
      url: `/api/channels/${secret}/messages?around=${ids[11] ?? ''}&limit=3`,
      headers: { authorization: `Bearer ${tokens.alice}` },
    });
    expect(edge.json<AroundResponse>()).toMatchObject({ hasAfter: false, hasBefore: true });
  });
});
