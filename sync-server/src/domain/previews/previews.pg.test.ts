import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, type Message } from '@echora/shared';
import { OEMBED_ANSWER, PreviewServer } from '@echora/testkit';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { AddressPolicy, type Resolver } from '../../net/address-policy.ts';
import { SafeFetch } from '../../net/safe-fetch.ts';
import { createLocalStorage } from '../../storage/local.ts';
import type { FileStorage } from '../../storage/types.ts';
import { sweepFiles } from '../files/cleanup.ts';
import { defaultFetchCaps } from './fetch-page.ts';
import { unfurlUrl, type UnfurlDeps } from './unfurl.ts';

describeEachDb('link previews: unfurled through the guard, removable, switchable', (getDb) => {
  let app: FastifyInstance;
  let site: PreviewServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let aliceClient: SyncClient;
  let bobClient: SyncClient;
  let general: string;
  let storageRoot: string;
  let storage: FileStorage;
  const caps = { ...defaultFetchCaps, timeoutMs: 1000 };

  const say = async (content: string, client = aliceClient): Promise<string> => {
    const id = newId();
    expect(await client.mutate('message.send', { id, channelId: general, content })).toMatchObject({
      type: 'ack',
    });
    return id;
  };
  const seenByBob = (id: string): Message | undefined => bobClient.replica.messages.get(id);
  const cacheError = async (url: string): Promise<string | null | undefined> =>
    (
      await getDb().query<{ error: string | null }>(
        'SELECT error FROM link_preview_cache WHERE url = $1',
        [url],
      )
    ).rows[0]?.error;
  const jobs = async () =>
    Number(
      (await getDb().query<{ n: string }>('SELECT count(*) AS n FROM link_preview_jobs')).rows[0]
        ?.n,
    );

  beforeAll(async () => {
    site = await PreviewServer.start();
    storageRoot = await mkdtemp(join(tmpdir(), 'echora-previews-'));
    storage = createLocalStorage(storageRoot);
    app = await createTestApp(getDb(), {
      storage,
      // oEmbed of known providers asks the site instead (OEMBED_ENDPOINTS).
      config: {
        outboundAllow: ['127.0.0.1'],
        oembedEndpoints: { youtube: `${site.url}/oembed`, x: `${site.url}/oembed` },
      },
      linkPreviews: { pollMs: 0, caps },
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
    aliceClient = await (await SyncClient.connect(url, { token: alice.token })).synced();
    bobClient = await (await SyncClient.connect(url, { token: bob.token })).synced();
    general =
      [...aliceClient.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
  });
  afterAll(async () => {
    await aliceClient?.close();
    await bobClient?.close();
    await app?.close();
    await site?.close();
    if (storageRoot) await rm(storageRoot, { recursive: true, force: true });
  });

  it('unfurls the first links into cards with a re-encoded image every member sees', async () => {
    const link = `${site.url}/article`;
    const id = await say(
      `new release: ${link}, and \`${site.url}/in-code\` too ${site.url}/twitter`,
    );
    expect(await app.linkPreviews.runOnce()).toBe(1);
    await until(() => (seenByBob(id)?.previews?.length ?? 0) === 2, 5000, 'cards');
    const [card, tweet] = seenByBob(id)?.previews ?? [];
    expect(card).toMatchObject({
      url: link,
      siteName: 'Preview Site',
      title: 'Release notes & more',
      description: 'What changed in this release.',
      imageWidth: 400,
      imageHeight: 200,
    });
    expect(card?.imageUrl).toMatch(/^\/api\/files\/[0-9a-f-]{36}$/);
    expect(tweet).toMatchObject({ title: 'Tweet card', imageUrl: null, siteName: '127.0.0.1' });
    expect(site.count('/in-code')).toBe(0);

    const image = await app.inject({
      url: card?.imageUrl ?? '',
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.rawPayload.subarray(8, 12).toString()).toBe('WEBP');
    expect((await app.inject({ url: card?.imageUrl ?? '' })).statusCode).toBe(401);

    // The same page again comes from the cache.
    const again = await say(`once more ${link}`);
    expect(await app.linkPreviews.runOnce()).toBe(1);
    await until(() => seenByBob(again)?.previews?.[0]?.title === card?.title, 5000, 'cached');
    expect([site.count('/article'), site.count('/card.png')]).toEqual([1, 1]);
    expect(await jobs()).toBe(0);
  });

  it('survives hostile pages: huge, endless, not HTML, script in meta, SVG, metadata image', async () => {
    const id = await say(`${site.url}/huge ${site.url}/slow ${site.url}/json`);
    expect(await app.linkPreviews.runOnce()).toBe(1);
    expect(await cacheError(`${site.url}/huge`)).toMatch(/too-large/);
    expect(await cacheError(`${site.url}/slow`)).toMatch(/timeout/);
    expect(await cacheError(`${site.url}/json`)).toMatch(/not HTML/);
    expect(seenByBob(id)?.previews).toBeUndefined();

    const hostile = await say(`${site.url}/hostile ${site.url}/svg-image`);
    expect(await app.linkPreviews.runOnce()).toBe(1);
    await until(() => (seenByBob(hostile)?.previews?.length ?? 0) === 2, 5000, 'hostile cards');
    const [script, svg] = seenByBob(hostile)?.previews ?? [];
    // Stored as the text it is; the client shows it as text.
    expect(script?.title).toBe('<script>alert(1)</script><img src=x onerror=alert(2)>');
    expect([...(script?.description ?? '')].length).toBe(500);
    expect(script?.imageUrl).toBeNull();
    expect(svg).toMatchObject({ title: 'SVG card', imageUrl: null });
    expect(site.count('/image.svg')).toBe(1);
    expect(await jobs()).toBe(0);
  });

  it('lets the author remove the cards, refuses anyone else, and drops a pending unfurl', async () => {
    const id = await say(`${site.url}/article?remove`);
    expect(await app.linkPreviews.runOnce()).toBe(1);
    await until(() => seenByBob(id)?.previews?.length === 1, 5000, 'card');
    expect(await bobClient.mutate('message.removePreview', { id })).toMatchObject({
      type: 'reject',
      error: { kind: 'forbidden' },
    });
    expect(await aliceClient.mutate('message.removePreview', { id })).toMatchObject({
      type: 'ack',
    });
    await until(() => seenByBob(id)?.previews === undefined, 5000, 'removed');
    expect(await aliceClient.mutate('message.removePreview', { id })).toMatchObject({
      type: 'ack',
    });

    // Removed before the worker ran: the page is never fetched.
    const early = await say(`${site.url}/article?early`);
    expect(await aliceClient.mutate('message.removePreview', { id: early })).toMatchObject({
      type: 'ack',
    });
    expect(await app.linkPreviews.runOnce()).toBe(0);
    expect(site.count('/article?early')).toBe(0);
  });

  it('fetches nothing while the community has previews off; only managers flip it', async () => {
    const patch = (token: string, linkPreviews: boolean) =>
      app.inject({
        method: 'PATCH',
        url: '/api/community',
        headers: { authorization: `Bearer ${token}` },
        payload: { linkPreviews },
      });
    expect((await patch(bob.token, false)).statusCode).toBe(403);
    // Queued while on, switched off before the worker ran: nothing fetched either.
    const queued = await say(`${site.url}/article?queued`);
    const off = await patch(alice.token, false);
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ linkPreviews: false });
    await say(`${site.url}/article?off`);
    expect(await app.linkPreviews.runOnce()).toBe(1);
    expect(site.count('/article?off') + site.count('/article?queued')).toBe(0);
    expect(seenByBob(queued)?.previews).toBeUndefined();
    expect(await jobs()).toBe(0);
    expect((await patch(alice.token, true)).json()).toMatchObject({ linkPreviews: true });
  });

  it('is refused by the SSRF guard without the allow-list, also after a redirect', async () => {
    const hosts: Resolver = (name) =>
      Promise.resolve(
        name === 'internal.example'
          ? [{ address: '127.0.0.1', family: 4 }]
          : [{ address: '169.254.169.254', family: 4 }],
      );
    const deps = (allow: string[]): UnfurlDeps => ({
      db: getDb(),
      outbound: new SafeFetch(new AddressPolicy(allow, hosts)),
      storage: undefined,
      caps,
      ttlMs: 60_000,
      failureTtlMs: 60_000,
    });
    const port = new URL(site.url).port;
    const hits = site.hits.length;
    const closed = deps([]);
    for (const url of [
      `${site.url}/article?direct`,
      `http://[::1]:${port}/`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      `http://internal.example:${port}/article`,
      'http://metadata.example/',
    ]) {
      expect(await unfurlUrl(closed, url, alice.id, new Date())).toBeNull();
      expect(await cacheError(url)).toMatch(/refused/);
    }
    // The allowed site redirects to addresses the guard refuses.
    const open = deps(['127.0.0.1']);
    for (const target of ['http://127.0.0.2/', 'http://[::1]/', 'http://10.0.0.1/']) {
      const url = `${site.url}/to/${encodeURIComponent(target)}`;
      expect(await unfurlUrl(open, url, alice.id, new Date())).toBeNull();
      expect(await cacheError(url)).toMatch(/refused/);
    }
    expect(site.hits.length - hits).toBe(3);
    expect(site.hits.slice(hits).every((h) => h.startsWith('/to/'))).toBe(true);
  });

  it('sweeps preview images no card names any more (removed, deleted, cache expired) after an hour', async () => {
    const hour = 3600_000;
    const imageOf = async (query: string): Promise<{ message: string; file: string }> => {
      const message = await say(`${site.url}/article?${query}`);
      expect(await app.linkPreviews.runOnce()).toBe(1);
      await until(() => seenByBob(message)?.previews?.length === 1, 5000, query);
      const url = seenByBob(message)?.previews?.[0]?.imageUrl ?? '';
      expect(url).toMatch(/^\/api\/files\//);
      return { message, file: url.slice('/api/files/'.length) };
    };
    const stored = async (file: string) => (await storage.head(`files/${file}`)) !== undefined;
    const kept = await imageOf('sweep-kept');
    const removed = await imageOf('sweep-removed');
    const deleted = await imageOf('sweep-deleted');
    const unnamed = await imageOf('sweep-unnamed');
    expect(
      await aliceClient.mutate('message.removePreview', { id: removed.message }),
    ).toMatchObject({ type: 'ack' });
    expect(await aliceClient.mutate('message.delete', { id: deleted.message })).toMatchObject({
      type: 'ack',
    });
    // Neither its message nor the cache names this one any more: only the grace keeps it.
    expect(
      await aliceClient.mutate('message.removePreview', { id: unnamed.message }),
    ).toMatchObject({ type: 'ack' });
    await getDb().query(`DELETE FROM link_preview_cache WHERE preview->>'imageUrl' = $1`, [
      `/api/files/${unnamed.file}`,
    ]);
    const all = [kept, removed, deleted, unnamed].map((i) => i.file);

    const swept = async (at: number) =>
      (await sweepFiles(getDb(), storage, new Date(at))).filter((id) => all.includes(id));
    expect(await swept(Date.now())).toEqual([]);
    expect(await swept(Date.now() + 2 * hour)).toEqual([unnamed.file]);
    // The cache still names the other two, until it expires (24 h).
    expect((await swept(Date.now() + 25 * hour)).sort()).toEqual(
      [removed.file, deleted.file].sort(),
    );
    expect(await Promise.all(all.map(stored))).toEqual([true, false, false, false]);
    const served = (file: string) =>
      app.inject({ url: `/api/files/${file}`, headers: { authorization: `Bearer ${bob.token}` } });
    expect((await served(kept.file)).statusCode).toBe(200);
    expect((await served(removed.file)).statusCode).toBe(404);
  });

  it("uses a known provider's oEmbed and a page's discovered one, never their html", async () => {
    const video = 'https://www.youtube.com/watch?v=abc123';
    const post = 'https://x.com/someone/status/12345';
    const discover = `${site.url}/discover`;
    const id = await say(`talk ${video} thread ${post} and ${discover}`);
    expect(await app.linkPreviews.runOnce()).toBe(1);
    await until(() => seenByBob(id)?.previews?.length === 3, 5000, 'oEmbed cards');
    const cards = seenByBob(id)?.previews ?? [];
    const fromOembed = {
      siteName: OEMBED_ANSWER.provider_name,
      title: OEMBED_ANSWER.title,
      description: OEMBED_ANSWER.author_name,
      imageWidth: 400,
      imageHeight: 200,
    };
    expect(cards).toMatchObject([
      { url: video, ...fromOembed },
      { url: post, ...fromOembed },
      { url: discover, ...fromOembed },
    ]);
    for (const card of cards) expect(card.imageUrl).toMatch(/^\/api\/files\//);
    expect(JSON.stringify(cards)).not.toMatch(/<iframe|<script|169\.254/);
    // The providers' own pages are never fetched: their endpoint (here the site) answers.
    const asked = (link: string) =>
      site.count(`/oembed?url=${encodeURIComponent(link)}&format=json`);
    expect([asked(video), asked(post), asked(discover)]).toEqual([1, 1, 1]);
    expect(site.hits.filter((h) => h.startsWith('/oembed.xml'))).toEqual([]);
  });

  it('asks an oEmbed endpoint only through the SSRF guard', async () => {
    const deps = (allow: string[]): UnfurlDeps => ({
      db: getDb(),
      // The provider's own host is on a private address: its page is always refused.
      outbound: new SafeFetch(
        new AddressPolicy(allow, () => Promise.resolve([{ address: '10.0.0.1', family: 4 }])),
      ),
      storage: undefined,
      caps,
      ttlMs: 60_000,
      failureTtlMs: 60_000,
      oembedEndpoints: { vimeo: `${site.url}/oembed` },
    });
    const link = 'https://vimeo.com/76979871';
    const asked = () => site.count(`/oembed?url=${encodeURIComponent(link)}&format=json`);
    expect(await unfurlUrl(deps([]), link, alice.id, new Date())).toBeNull();
    expect(await cacheError(link)).toMatch(/refused/);
    expect(asked()).toBe(0);
    // Allowed, the endpoint answers (a card without the image: no storage here).
    await getDb().query('DELETE FROM link_preview_cache WHERE url = $1', [link]);
    expect(await unfurlUrl(deps(['127.0.0.1']), link, alice.id, new Date())).toMatchObject({
      url: link,
      title: OEMBED_ANSWER.title,
      imageUrl: null,
    });
    expect(asked()).toBe(1);
  });
});
