import { describe, expect, it } from 'vitest';
import { normalizeUrl, previewLinks } from './links.ts';

describe('links to unfurl', () => {
  it('takes the first three distinct http(s) links, outside code', () => {
    expect(
      previewLinks(
        'see https://a.example/x, `https://code.example/` and (https://b.example/y) ' +
          '```\nhttps://fenced.example/\n``` http://A.example:80/z#frag https://a.example/x ' +
          'https://c.example/ https://d.example/',
      ),
    ).toEqual(['https://a.example/x', 'https://b.example/y', 'http://a.example/z']);
  });

  it('keeps brackets the URL opens, drops sentence punctuation', () => {
    expect(previewLinks('https://w.example/wiki/A_(b). Done!')).toEqual([
      'https://w.example/wiki/A_(b)',
    ]);
    expect(previewLinks('[x](https://m.example/page)')).toEqual(['https://m.example/page']);
  });

  it('refuses other schemes, credentials and over-long URLs', () => {
    expect(previewLinks('ftp://x.example/ javascript:alert(1) mailto:a@b.c')).toEqual([]);
    expect(normalizeUrl('https://user:pw@x.example/')).toBeUndefined();
    expect(normalizeUrl(`https://x.example/${'a'.repeat(3000)}`)).toBeUndefined();
    expect(previewLinks('no links here')).toEqual([]);
  });
});
