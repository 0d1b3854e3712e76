import { isCjkUnigram } from '@echora/shared';

/** Binary search in an ascending list. */
function has(list: readonly number[], value: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid] as number;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The first code point of a term that may be a CJK bigram (cheap test before the regex). */
function cjkHead(term: string): string | null {
  if (term.charCodeAt(0) < 0x2e80) return null;
  const first = String.fromCodePoint(term.codePointAt(0) ?? 0);
  return first.length < term.length && isCjkUnigram(first) ? first : null;
}

/**
 * An inverted index of terms to document numbers: each term's postings are
 * an ascending array (numbers are handed out in order and never reused), so
 * an AND query walks the shortest list and binary-searches the others.
 * Removal only forgets the number; its stale postings are skipped, and the
 * lists are compacted once the dead outnumber the living.
 */
export class Postings {
  readonly #lists = new Map<string, number[]>();
  /** CJK character → the bigrams it starts, for a lone character matching as a prefix. */
  readonly #bigrams = new Map<string, Set<string>>();
  /** By number: whether it is still indexed. */
  readonly #live: boolean[] = [];
  #count = 0;
  #dead = 0;

  /** Indexes `terms` (duplicates allowed) under a new number, which it returns. */
  add(terms: readonly string[]): number {
    const num = this.#live.length;
    for (const term of terms) {
      let list = this.#lists.get(term);
      if (!list) {
        list = [];
        this.#lists.set(term, list);
        const head = cjkHead(term);
        if (head !== null) {
          const set = this.#bigrams.get(head) ?? new Set<string>();
          set.add(term);
          this.#bigrams.set(head, set);
        }
      }
      // A term repeated in the document is already listed under it.
      if (list[list.length - 1] !== num) list.push(num);
    }
    this.#live.push(true);
    this.#count++;
    return num;
  }

  remove(num: number): void {
    if (!this.#live[num]) return;
    this.#live[num] = false;
    this.#count--;
    if (++this.#dead > Math.max(1_000, this.#count)) this.#compact();
  }

  /** Numbers of the live documents holding every one of `words`, ascending. */
  match(words: readonly string[]): number[] {
    const lists: number[][] = [];
    for (const word of new Set(words)) {
      const list = this.#list(word);
      if (list.length === 0) return [];
      lists.push(list);
    }
    lists.sort((a, b) => a.length - b.length);
    const [first, ...rest] = lists;
    if (!first) return [];
    const out: number[] = [];
    outer: for (const num of first) {
      if (!this.#live[num]) continue;
      for (const list of rest) if (!has(list, num)) continue outer;
      out.push(num);
    }
    return out;
  }

  #list(word: string): number[] {
    if (!isCjkUnigram(word)) return this.#lists.get(word) ?? [];
    // A lone CJK character: every bigram it starts, and the character alone.
    const merged = new Set(this.#lists.get(word) ?? []);
    for (const term of this.#bigrams.get(word) ?? []) {
      for (const num of this.#lists.get(term) ?? []) merged.add(num);
    }
    return [...merged].sort((a, b) => a - b);
  }

  #compact(): void {
    for (const [term, list] of this.#lists) {
      const kept = list.filter((num) => this.#live[num]);
      if (kept.length > 0) this.#lists.set(term, kept);
      else {
        this.#lists.delete(term);
        const head = cjkHead(term);
        if (head !== null) this.#bigrams.get(head)?.delete(term);
      }
    }
    this.#dead = 0;
  }
}
