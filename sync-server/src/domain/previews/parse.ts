import { Parser } from 'htmlparser2';
import { Limits } from '@echora/shared';

/** What a page says about itself, as plain text (entities decoded, no markup). */
export interface PageMeta {
  title: string;
  description: string;
  siteName: string;
  /** Absolute http(s) URL of the page's card image, if it names one. */
  image: string | undefined;
  /** The page's own canonical URL (og:url), if http(s). */
  url: string | undefined;
  /** Its JSON oEmbed endpoint (`<link rel="alternate" type="application/json+oembed">`). */
  oembed: string | undefined;
}

/** Meta names by preference: OpenGraph first, then Twitter cards, then plain HTML. */
const FIELDS = {
  title: ['og:title', 'twitter:title'],
  description: ['og:description', 'twitter:description', 'description'],
  siteName: ['og:site_name', 'application-name'],
  image: ['og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'],
  url: ['og:url'],
} as const;

/**
 * Collapses whitespace, drops control and bidi-override characters, and cuts
 * to `max` characters. The result is text for a text node: a `<script>` in a
 * meta tag stays the seven characters it is.
 */
export function plainText(value: string, max: number): string {
  const clean = value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...clean];
  return chars.length <= max
    ? clean
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** `value` resolved against `base` when it is an http(s) URL; else undefined. */
export function absoluteHttp(value: string | undefined, base: string): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON oEmbed discovery link (the XML one is not read). */
function isOembedLink(attrs: Record<string, string>): boolean {
  const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
  return (
    rel.includes('alternate') &&
    (attrs.type ?? '').trim().toLowerCase() === 'application/json+oembed' &&
    Boolean(attrs.href)
  );
}

/**
 * Reads the OpenGraph, Twitter card and `<title>`/description meta (and the
 * oEmbed discovery link) of an HTML
 * page with htmlparser2 (a streaming tokenizer: no DOM, no script, no
 * network), stopping at `<body>`: card meta lives in the head.
 */
export function parseMeta(html: string, pageUrl: string): PageMeta {
  const meta = new Map<string, string>();
  let oembed: string | undefined;
  let title = '';
  let inTitle = false;
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (done) return;
        if (name === 'body') done = true;
        else if (name === 'title') inTitle = true;
        else if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? '').trim().toLowerCase();
          const content = attrs.content;
          if (key && content !== undefined && !meta.has(key)) meta.set(key, content);
        } else if (name === 'link' && oembed === undefined && isOembedLink(attrs)) {
          oembed = attrs.href;
        }
      },
      ontext(text) {
        if (inTitle && !done && title.length < 4 * Limits.previewTitleLength) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (name === 'head') done = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const pick = (keys: readonly string[]) =>
    keys.map((k) => meta.get(k)).find((v) => v !== undefined && v.trim() !== '');
  return {
    title: plainText(pick(FIELDS.title) ?? title, Limits.previewTitleLength),
    description: plainText(pick(FIELDS.description) ?? '', Limits.previewDescriptionLength),
    siteName: plainText(pick(FIELDS.siteName) ?? '', Limits.previewSiteLength),
    image: absoluteHttp(pick(FIELDS.image), pageUrl),
    url: absoluteHttp(pick(FIELDS.url), pageUrl),
    oembed: absoluteHttp(oembed, pageUrl),
  };
}
