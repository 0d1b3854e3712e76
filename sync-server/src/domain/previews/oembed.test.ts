import { describe, expect, it } from 'vitest';
import { providerRequest } from './oembed.ts';

const endpointOf = (link: string, overrides = {}) => {
  const request = providerRequest(link, overrides);
  if (!request) return undefined;
  const url = new URL(request);
  expect(url.searchParams.get('url')).toBe(link);
  expect(url.searchParams.get('format')).toBe('json');
  return `${url.origin}${url.pathname}`;
};

describe('oEmbed providers', () => {
  it('maps known providers’ links to their published endpoints', () => {
    expect(endpointOf('https://www.youtube.com/watch?v=dQw4w9WgXcQ')).toBe(
      'https://www.youtube.com/oembed',
    );
    expect(endpointOf('https://youtu.be/dQw4w9WgXcQ')).toBe('https://www.youtube.com/oembed');
    expect(endpointOf('https://vimeo.com/76979871')).toBe('https://vimeo.com/api/oembed.json');
    expect(endpointOf('https://soundcloud.com/artist/track-name')).toBe(
      'https://soundcloud.com/oembed',
    );
    expect(endpointOf('https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC')).toBe(
      'https://open.spotify.com/oembed',
    );
    expect(endpointOf('https://x.com/someone/status/12345')).toBe(
      'https://publish.twitter.com/oembed',
    );
    expect(endpointOf('https://twitter.com/someone/status/12345')).toBe(
      'https://publish.twitter.com/oembed',
    );
  });

  it('leaves other links (and look-alike hosts) to the page', () => {
    for (const link of [
      'https://example.com/watch?v=1',
      'https://youtube.com.evil.test/watch?v=1',
      'https://evil.test/?u=https://youtu.be/x',
      'https://vimeo.com/about',
      'https://x.com/someone',
    ]) {
      expect(endpointOf(link)).toBeUndefined();
    }
  });

  it('asks an overridden endpoint instead', () => {
    expect(endpointOf('https://youtu.be/x', { youtube: 'http://127.0.0.1:9/oembed' })).toBe(
      'http://127.0.0.1:9/oembed',
    );
  });
});
