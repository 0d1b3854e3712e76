/**
 * The one tokenizer of Echora search, used by the server (to build and query
 * the Postgres index) and by the device (its inverted index over the replica), so both
 * find the same messages for the same words.
 *
 * - Words of letters and digits are lowercased and folded: NFKD, then the
 *   combining marks dropped ("Café" → "cafe", "ﬁ" → "fi", "Ａ" → "a").
 * - Runs of CJK characters (no spaces between words) become overlapping
 *   bigrams ("東京都" → "東京", "京都"); a lone character stays a unigram.
 * - Each emoji (with its modifiers and ZWJ parts) is its own token; variation
 *   selectors are dropped so "❤" and "❤️" match.
 *
 * Tokens carry their offsets in the original text (UTF-16), so a snippet can
 * mark exactly the text that matched.
 */

export interface Token {
  /** The normalized term, as indexed and queried. */
  term: string;
  /** Start offset in the original text (UTF-16 code units). */
  start: number;
  /** End offset (exclusive). */
  end: number;
}

/** Longest term kept; longer words are cut, the same way when indexed and when queried. */
export const MAX_TERM_LENGTH = 64;

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC\u3005`;
const EMOJI_PART = String.raw`\p{Extended_Pictographic}(?:\uFE0F|\u20E3|\p{Emoji_Modifier})*`;
const TOKEN_RE = new RegExp(
  [
    `(${EMOJI_PART}(?:\\u200D${EMOJI_PART})*)`,
    String.raw`(\p{Regional_Indicator}{2})`,
    `([${CJK}]+)`,
    `((?:(?![${CJK}])[\\p{L}\\p{N}])(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])*)`,
  ].join('|'),
  'gu',
);

const ASCII_WORD = /^[A-Za-z0-9]*$/;

/** Lowercase, NFKD, marks dropped, only letters and digits kept. */
export function foldWord(word: string): string {
  // Plain ASCII letters and digits (most words) fold to their lower case.
  if (ASCII_WORD.test(word)) return word.toLowerCase().slice(0, MAX_TERM_LENGTH);
  return word
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]/gu, '')
    .toLowerCase()
    .slice(0, MAX_TERM_LENGTH);
}

function cjkTokens(run: string, start: number, out: Token[]): void {
  // NFKC, not NFKD: it folds half-width kana without splitting Hangul into jamo.
  const chars: { c: string; start: number; end: number }[] = [];
  let offset = start;
  for (const c of run) {
    chars.push({ c: c.normalize('NFKC'), start: offset, end: offset + c.length });
    offset += c.length;
  }
  const first = chars[0];
  if (chars.length === 1 && first) {
    out.push({ term: first.c, start: first.start, end: first.end });
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) {
    const a = chars[i];
    const b = chars[i + 1];
    if (a && b) out.push({ term: a.c + b.c, start: a.start, end: b.end });
  }
}

/** The tokens of `text` in order, with their offsets. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = m.index;
    const [all, emoji, flag, cjk, word] = m;
    if (emoji !== undefined || flag !== undefined) {
      out.push({ term: all.replace(/\uFE0F/g, ''), start, end: start + all.length });
    } else if (cjk !== undefined) {
      cjkTokens(cjk, start, out);
    } else if (word !== undefined) {
      const term = foldWord(word);
      if (term) out.push({ term, start, end: start + all.length });
    }
  }
  return out;
}

/** Just the terms of `text`, in order (duplicates kept). */
export function terms(text: string): string[] {
  return tokenize(text).map((t) => t.term);
}

/** Whether `term` is one CJK character (it then matches as a prefix of bigrams). */
export function isCjkUnigram(term: string): boolean {
  return [...term].length === 1 && new RegExp(`^[${CJK}]$`, 'u').test(term);
}
