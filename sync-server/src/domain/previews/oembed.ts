import { Limits } from '@echora/shared';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import { asPreviewFailure, PreviewFailed, type FetchCaps } from './fetch-page.ts';
import { absoluteHttp, plainText } from './parse.ts';

/** The providers whose links are unfurled with their oEmbed endpoint, not their page. */
export const OEMBED_PROVIDERS = ['youtube', 'vimeo', 'soundcloud', 'spotify', 'x'] as const;
export type OembedProvider = (typeof OEMBED_PROVIDERS)[number];

/** Each provider's published endpoint and the links it answers for. */
const PROVIDERS: Record<OembedProvider, { endpoint: string; links: readonly RegExp[] }> = {
  youtube: {
    endpoint: 'https://www.youtube.com/oembed',
    links: [
      /^https?:\/\/(www\.|m\.|music\.)?youtube\.com\/(watch|shorts\/|live\/|playlist)/i,
      /^https?:\/\/youtu\.be\/[\w-]+/i,
    ],
  },
  vimeo: {
    endpoint: 'https://vimeo.com/api/oembed.json',
    links: [/^https?:\/\/(www\.|player\.)?vimeo\.com\/(video\/)?\d+/i],
  },
  soundcloud: {
    endpoint: 'https://soundcloud.com/oembed',
    links: [/^https?:\/\/(www\.|m\.)?soundcloud\.com\/[^/?#]+\/[^/?#]+/i],
  },
  spotify: {
    endpoint: 'https://open.spotify.com/oembed',
    links: [
      /^https?:\/\/open\.spotify\.com\/(intl-[a-z-]+\/)?(track|album|artist|playlist|episode|show)\//i,
    ],
  },
  x: {
    endpoint: 'https://publish.twitter.com/oembed',
    links: [/^https?:\/\/(www\.|mobile\.)?(twitter|x)\.com\/\w+\/status(es)?\/\d+/i],
  },
};

/** Endpoints replacing the published ones (`OEMBED_ENDPOINTS`: tests, or a caching proxy). */
export type OembedEndpoints = Partial<Record<OembedProvider, string>>;

/** The oEmbed request for a known provider's link (JSON), or undefined for any other link. */
export function providerRequest(link: string, overrides: OembedEndpoints = {}): string | undefined {
  for (const name of OEMBED_PROVIDERS) {
    const provider = PROVIDERS[name];
    if (!provider.links.some((pattern) => pattern.test(link))) continue;
    const request = new URL(overrides[name] ?? provider.endpoint);
    request.searchParams.set('url', link);
    request.searchParams.set('format', 'json');
    return request.toString();
  }
  return undefined;
}

/** What a card takes from an oEmbed answer: text, bounded, and the thumbnail's address. */
export interface OembedCard {
  title: string;
  author: string;
  provider: string;
  thumbnail: string | undefined;
}

/** Bytes of an oEmbed answer read at most (they are small; `html` is never used). */
const OEMBED_BYTES = 256 * 1024;

const text = (value: unknown, max: number): string =>
  typeof value === 'string' ? plainText(value, max) : '';

/**
 * Fetches an oEmbed answer through the SSRF guard (size and time capped) and
 * keeps its title, author, provider name and thumbnail URL. The `html` an
 * answer carries (a third party's iframe or script) is never read. Throws
 * {@link PreviewFailed}.
 */
export async function fetchOembed(
  outbound: SafeFetch,
  request: string,
  caps: FetchCaps,
): Promise<OembedCard> {
  let body: unknown;
  let finalUrl: string;
  try {
    const response = await outbound.fetch(request, {
      headers: { accept: 'application/json' },
      maxBytes: Math.min(caps.pageBytes, OEMBED_BYTES),
      timeoutMs: caps.timeoutMs,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new PreviewFailed(`oEmbed answered ${response.status}`);
    }
    finalUrl = response.url;
    body = JSON.parse(response.body.toString('utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new PreviewFailed('oEmbed answer is not JSON');
    throw asPreviewFailure(err);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new PreviewFailed('oEmbed answer is not an object');
  }
  const answer = body as Record<string, unknown>;
  return {
    title: text(answer.title, Limits.previewTitleLength),
    author: text(answer.author_name, Limits.previewDescriptionLength),
    provider: text(answer.provider_name, Limits.previewSiteLength),
    thumbnail:
      typeof answer.thumbnail_url === 'string'
        ? absoluteHttp(answer.thumbnail_url, finalUrl)
        : undefined,
  };
}
