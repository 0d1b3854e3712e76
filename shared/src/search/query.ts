import { terms } from './tokenize.ts';

/**
 * The search query language, parsed the same way on the server and the device.
 *
 * ```
 * deploy "staging server" from:alice in:#ops has:link after:2026-01-01 pinned:true
 * ```
 *
 * - Plain words must all occur (AND); a word the tokenizer splits (a CJK run,
 *   "e-mail") must occur as that sequence.
 * - `"quoted phrases"` must occur as that sequence of terms.
 * - `from:` and `mentions:` take a username (`@` optional), `in:` a channel
 *   name (`#` optional); a filter given twice means either (OR); different
 *   filters combine (AND). Values may be quoted: `in:"release notes"`.
 * - `has:file|image|link`, `pinned:true|false`, `before:` / `after:` take a
 *   date `YYYY-MM-DD` (UTC); `before:` is exclusive, `after:` inclusive.
 * - Any other `word:` is plain text.
 */
export interface SearchQuery {
  /** Term sequences that must each occur in order (a plain word or a phrase). */
  phrases: string[][];
  from: string[];
  in: string[];
  mentions: string[];
  has: HasFilter[];
  /** ISO instant: only messages created before it. */
  before: string | null;
  /** ISO instant: only messages created at or after it. */
  after: string | null;
  pinned: boolean | null;
}

export const HAS_FILTERS = ['file', 'image', 'link'] as const;
export type HasFilter = (typeof HAS_FILTERS)[number];

/** Longest query accepted, in characters. */
export const MAX_QUERY_LENGTH = 256;
/** Most phrases (plain words and quoted phrases) and filter values in one query. */
export const MAX_QUERY_PARTS = 32;

export type ParseResult = { ok: true; query: SearchQuery } | { ok: false; error: string };

const PART_RE = /(?:([a-z]+):)?(?:"([^"]*)"?|(\S+))/giu;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: string): string | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Refuses 2026-02-30 and the like, which Date would roll over.
  if (date.getUTCMonth() !== Number(m[2]) - 1 || date.getUTCDate() !== Number(m[3])) return null;
  return date.toISOString();
}

/** A query with no words and no filters. */
export function emptyQuery(): SearchQuery {
  return {
    phrases: [],
    from: [],
    in: [],
    mentions: [],
    has: [],
    before: null,
    after: null,
    pinned: null,
  };
}

/** Whether the query asks for nothing (no words, no filters). */
export function isEmptyQuery(q: SearchQuery): boolean {
  return (
    q.phrases.length + q.from.length + q.in.length + q.mentions.length + q.has.length === 0 &&
    q.before === null &&
    q.after === null &&
    q.pinned === null
  );
}

/** Parses `input`; an error names the part that is wrong. */
export function parseQuery(input: string): ParseResult {
  if (input.length > MAX_QUERY_LENGTH) {
    return { ok: false, error: `q: at most ${MAX_QUERY_LENGTH} characters` };
  }
  if (/\p{Cc}/u.test(input)) return { ok: false, error: 'q: control characters are not allowed' };
  const q = emptyQuery();
  let parts = 0;
  for (const m of input.matchAll(PART_RE)) {
    const key = m[1]?.toLowerCase();
    const quoted = m[2];
    const value = quoted ?? m[3] ?? '';
    if (++parts > MAX_QUERY_PARTS) {
      return { ok: false, error: `q: at most ${MAX_QUERY_PARTS} words and filters` };
    }
    const error = key === undefined ? undefined : applyFilter(q, key, value.trim());
    if (error === undefined) {
      // Not a filter: the whole part is text (`foo:bar` included). A word the
      // tokenizer splits ("e-mail", "東京都") must occur as that sequence too.
      const seq = terms(key === undefined ? value : `${m[1]}:${value}`);
      if (seq.length > 0) q.phrases.push(seq);
    } else if (error !== null) {
      return { ok: false, error };
    }
  }
  return { ok: true, query: q };
}

/** Applies `key:value`: null when applied, an error text, or undefined when `key` is no filter. */
function applyFilter(q: SearchQuery, key: string, value: string): string | null | undefined {
  switch (key) {
    case 'from':
    case 'mentions': {
      const name = value.replace(/^@/, '').toLowerCase();
      if (!name) return `${key}: needs a username`;
      q[key].push(name);
      return null;
    }
    case 'in': {
      const name = value.replace(/^#/, '').toLowerCase();
      if (!name) return 'in: needs a channel name';
      q.in.push(name);
      return null;
    }
    case 'has': {
      const v = value.toLowerCase();
      if (!(HAS_FILTERS as readonly string[]).includes(v)) return 'has: is file, image or link';
      if (!q.has.includes(v as HasFilter)) q.has.push(v as HasFilter);
      return null;
    }
    case 'pinned': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false' && v !== 'yes' && v !== 'no') {
        return 'pinned: is true or false';
      }
      q.pinned = v === 'true' || v === 'yes';
      return null;
    }
    case 'before':
    case 'after': {
      const date = parseDate(value);
      if (date === null) return `${key}: is a date YYYY-MM-DD`;
      q[key] = date;
      return null;
    }
    default:
      return undefined;
  }
}
