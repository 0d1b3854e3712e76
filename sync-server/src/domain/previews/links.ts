import { Limits } from '@echora/shared';

/** Fenced blocks first (they may hold backticks), then inline code spans. */
const CODE = /```[\s\S]*?(?:```|$)|`[^`\n]*`/g;
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that ends a sentence rather than the URL. */
const TRAILING = /[.,;:!?'"*_~]+$/;

/**
 * A link as the cache keys it: http(s) only, no credentials, no fragment
 * (the same page), host lowercased and default port dropped (by `URL`).
 * Undefined for anything else, or past {@link Limits.previewUrlLength}.
 */
export function normalizeUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  url.hash = '';
  const normalized = url.toString();
  return normalized.length <= Limits.previewUrlLength ? normalized : undefined;
}

/** Drops a closing bracket the URL does not open (a link written "(see https://x/y)"). */
function trimUnbalanced(link: string): string {
  let out = link.replace(TRAILING, '');
  for (const [open, close] of [
    ['(', ')'],
    ['[', ']'],
  ] as const) {
    while (out.endsWith(close) && out.split(open).length < out.split(close).length) {
      out = out.slice(0, -1).replace(TRAILING, '');
    }
  }
  return out;
}

/**
 * The first {@link Limits.previewLinks} distinct http(s) links of a message,
 * normalized, leaving out those inside code spans and fenced blocks (code is
 * quoted, not shared).
 */
export function previewLinks(content: string): string[] {
  const prose = content.replace(CODE, ' ');
  const links: string[] = [];
  for (const match of prose.matchAll(LINK)) {
    const url = normalizeUrl(trimUnbalanced(match[0]));
    if (url && !links.includes(url)) links.push(url);
    if (links.length === Limits.previewLinks) break;
  }
  return links;
}
