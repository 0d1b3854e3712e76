import { isCjkUnigram, tokenize, type SearchQuery } from '@echora/shared';

/** Postgres keeps positions up to this; later ones count as this one. */
const MAX_POSITION = 16_383;

/** A lexeme as tsvector/tsquery input reads it, whatever its characters. */
function lexeme(term: string): string {
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The `tsvector` input text for `content`: the shared tokenizer's terms with
 * their positions, so phrases (and CJK bigram runs) match as sequences.
 */
export function searchVector(content: string): string {
  const positions = new Map<string, number[]>();
  tokenize(content).forEach((t, i) => {
    const list = positions.get(t.term) ?? [];
    list.push(Math.min(i + 1, MAX_POSITION));
    positions.set(t.term, list);
  });
  return [...positions].map(([term, list]) => `${lexeme(term)}:${list.join(',')}`).join(' ');
}

/**
 * The `tsquery` input text for the query's phrases (all must match, each as a
 * sequence), or null when it has none. A lone CJK character matches as the
 * prefix of the bigrams it starts.
 */
export function searchTsquery(query: SearchQuery): string | null {
  if (query.phrases.length === 0) return null;
  return query.phrases
    .map((phrase) => {
      const first = phrase[0];
      if (phrase.length === 1 && first !== undefined && isCjkUnigram(first)) {
        return `${lexeme(first)}:*`;
      }
      return `(${phrase.map(lexeme).join(' <-> ')})`;
    })
    .join(' & ');
}

/** Every term of the query, for marking snippets. */
export function queryTerms(query: SearchQuery): string[] {
  return [...new Set(query.phrases.flat())];
}
