import { describe, expect, it } from 'vitest';
import { Limits } from '@echora/shared';
import { parseMeta } from './parse.ts';

const page = (head: string, body = '') =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe('page meta', () => {
  it('reads OpenGraph first, then Twitter cards, then the title', () => {
    const meta = parseMeta(
      page(`<title>Plain</title>
        <meta name="twitter:title" content="Tweet title">
        <meta property="og:title" content="OG &amp; title">
        <meta name="description" content="Plain description">
        <meta property="og:site_name" content="Example">
        <meta name="twitter:image" content="/img/card.png">
        <meta property="og:url" content="https://example.test/canonical">`),
      'https://example.test/a/b',
    );
    expect(meta).toEqual({
      title: 'OG & title',
      description: 'Plain description',
      siteName: 'Example',
      image: 'https://example.test/img/card.png',
      url: 'https://example.test/canonical',
      oembed: undefined,
    });
    expect(parseMeta(page('<title> Only\n a  title </title>'), 'http://x.test/').title).toBe(
      'Only a title',
    );
  });

  it('keeps markup in meta as text, bounds every field, ignores the body', () => {
    const meta = parseMeta(
      page(
        `<meta property="og:title" content="<script>alert(1)</script>">
         <meta property="og:description" content="${'d'.repeat(5000)}">
         <meta property="og:image" content="javascript:alert(1)">
         <meta property="og:url" content="data:text/html,x">`,
        '<meta property="og:site_name" content="from the body">',
      ),
      'https://x.test/',
    );
    expect(meta.title).toBe('<script>alert(1)</script>');
    expect([...meta.description]).toHaveLength(Limits.previewDescriptionLength);
    expect(meta.image).toBeUndefined();
    expect(meta.url).toBeUndefined();
    expect(meta.siteName).toBe('');
  });

  it('drops control and direction-override characters', () => {
    const meta = parseMeta(
      page('<meta property="og:title" content="a\u202Eb\u0000c">'),
      'http://x.test/',
    );
    expect(meta.title).toBe('a b c');
  });

  it('finds the JSON oEmbed discovery link (not the XML one), resolved against the page', () => {
    const meta = parseMeta(
      page(`<link rel="alternate" type="text/xml+oembed" href="/x.xml">
        <link rel="Alternate nofollow" type="application/json+oembed" href="/oembed?url=a&amp;f=json">
        <link rel="alternate" type="application/json+oembed" href="/second">`),
      'https://example.test/a/b',
    );
    expect(meta.oembed).toBe('https://example.test/oembed?url=a&f=json');
    const none = parseMeta(
      page('<link rel="alternate" type="application/json+oembed" href="javascript:alert(1)">'),
      'https://example.test/',
    );
    expect(none.oembed).toBeUndefined();
  });
});
