import { isCjkUnigram, tokenize } from './tokenize.ts';

/** A piece of a snippet: plain text, or text that matched (`hit`). Rendered as text, never HTML. */
export interface SnippetPart {
  text: string;
  hit: boolean;
}

/** Characters of context kept around the first hit. */
const CONTEXT = 60;
/** Longest snippet, in characters (plus ellipses). */
export const SNIPPET_LENGTH = 200;

/** Whether a document term matches a query term (a lone CJK character matches bigrams it starts). */
export function termMatches(docTerm: string, queryTerm: string): boolean {
  return docTerm === queryTerm || (isCjkUnigram(queryTerm) && docTerm.startsWith(queryTerm));
}

/**
 * A short excerpt of `content` around its first match, split into parts with
 * the matching tokens marked. Matches come from the shared tokenizer, so the
 * marks are exactly what the index matched ("café" is marked for "cafe").
 */
export function snippet(content: string, queryTerms: readonly string[]): SnippetPart[] {
  const hits = tokenize(content).filter((t) => queryTerms.some((q) => termMatches(t.term, q)));
  const first = hits[0];
  let from = first ? Math.max(0, first.start - CONTEXT) : 0;
  // Never cut a surrogate pair in half.
  if (from > 0 && /[\uDC00-\uDFFF]/.test(content[from] ?? '')) from--;
  let to = Math.min(content.length, from + SNIPPET_LENGTH);
  if (to < content.length && /[\uDC00-\uDFFF]/.test(content[to] ?? '')) to++;
  const parts: SnippetPart[] = [];
  const push = (text: string, hit: boolean): void => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last && last.hit === hit) last.text += text;
    else parts.push({ text, hit });
  };
  if (from > 0) push('…', false);
  let at = from;
  for (const h of hits) {
    // Overlapping CJK bigrams: mark from where the last mark ended.
    const start = Math.max(h.start, at);
    if (h.end <= start || start >= to) continue;
    push(content.slice(at, start), false);
    const end = Math.min(h.end, to);
    push(content.slice(start, end), true);
    at = end;
  }
  push(content.slice(at, to), false);
  if (to < content.length) push('…', false);
  return parts;
}
