import { OutboundFailed, OutboundRefused, type SafeFetch } from '../../net/safe-fetch.ts';
import { parseMeta, type PageMeta } from './parse.ts';

/** Caps on what one unfurl may fetch. */
export interface FetchCaps {
  /** Bytes of HTML read at most; a larger page is not unfurled. */
  pageBytes: number;
  /** Bytes of a card image read at most. */
  imageBytes: number;
  /** Per request, redirects included. */
  timeoutMs: number;
}

export const defaultFetchCaps: FetchCaps = {
  pageBytes: 1024 * 1024,
  imageBytes: 5 * 1024 * 1024,
  timeoutMs: 5000,
};

/** Why a page gave no preview (kept in the cache as the failure). */
export class PreviewFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PreviewFailed';
  }
}

/** A guard refusal or a failed request as a {@link PreviewFailed}; anything else is a bug. */
export function asPreviewFailure(err: unknown): PreviewFailed {
  if (err instanceof PreviewFailed) return err;
  if (err instanceof OutboundRefused || err instanceof OutboundFailed) {
    return new PreviewFailed(err.message);
  }
  throw err;
}

const HTML = /^\s*(text\/html|application\/xhtml\+xml)\s*(;|$)/i;

function decode(body: Buffer, contentType: string): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    // An unknown label: read it as UTF-8 (replacement characters at worst).
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Fetches `url` through the SSRF guard (every hop vetted, size and time
 * capped) and reads its card meta. Only a 2xx `text/html` answer is read.
 * Throws {@link PreviewFailed}.
 */
export async function fetchPage(
  outbound: SafeFetch,
  url: string,
  caps: FetchCaps,
): Promise<{ meta: PageMeta; finalUrl: string }> {
  try {
    const response = await outbound.fetch(url, {
      headers: { accept: 'text/html,application/xhtml+xml;q=0.9' },
      maxBytes: caps.pageBytes,
      timeoutMs: caps.timeoutMs,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new PreviewFailed(`answered ${response.status}`);
    }
    const type = response.headers['content-type'] ?? '';
    if (!HTML.test(type)) throw new PreviewFailed(`not HTML (${type.slice(0, 100) || 'no type'})`);
    return {
      meta: parseMeta(decode(response.body, type), response.url),
      finalUrl: response.url,
    };
  } catch (err) {
    throw asPreviewFailure(err);
  }
}
