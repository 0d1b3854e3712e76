import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OEMBED_ANSWER, PreviewServer, solidPng } from './preview-server.ts';

describe('PreviewServer', () => {
  let site: PreviewServer;
  beforeAll(async () => {
    site = await PreviewServer.start();
  });
  afterAll(() => site.close());

  it('serves a card page and a real PNG, and records what was asked', async () => {
    const page = await fetch(`${site.url}/article`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('og:title');
    const png = Buffer.from(await (await fetch(`${site.url}/card.png`)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.equals(solidPng(1200, 600, [40, 90, 200]))).toBe(true);
    expect(site.count('/article')).toBe(1);
    expect(site.count('/card.png')).toBe(1);
  });

  it('answers oEmbed requests and names its endpoint from a page without card meta', async () => {
    const page = await (await fetch(`${site.url}/discover`)).text();
    expect(page).toContain('application/json+oembed');
    expect(page).not.toContain('og:title');
    const answer = await (await fetch(`${site.url}/oembed?url=x&format=json`)).json();
    expect(answer).toEqual({ ...OEMBED_ANSWER, thumbnail_url: `${site.url}/card.png` });
    expect(site.count('/oembed?url=x&format=json')).toBe(1);
  });
});
