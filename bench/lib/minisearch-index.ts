/**
 * The device search index as it was first built, on MiniSearch (BM25 over the
 * shared tokenizer's terms), kept here as bench P20's second candidate beside
 * the app's own inverted index (client/src/lib/search/device-index.ts).
 */
import MiniSearch from 'minisearch';
import { isCjkUnigram, snippet, terms, type SearchQuery } from '@echora/shared';
import {
  DEVICE_RESULTS,
  type DeviceHit,
  type IndexedMessage,
  type SearchNames,
} from '../../client/src/lib/search/device-index.ts';

/** Cheaper than serializing: the worker compares every replica row on each change. */
function sameDoc(a: IndexedMessage, b: IndexedMessage): boolean {
  return (
    a.content === b.content &&
    a.channelId === b.channelId &&
    a.authorId === b.authorId &&
    a.createdAt === b.createdAt &&
    a.pinned === b.pinned &&
    a.hasFile === b.hasFile &&
    a.hasImage === b.hasImage &&
    a.mentions.join() === b.mentions.join()
  );
}

/** Whether `seq` occurs in `doc` as consecutive terms. */
function hasSequence(doc: readonly string[], seq: readonly string[]): boolean {
  outer: for (let i = 0; i + seq.length <= doc.length; i++) {
    for (let j = 0; j < seq.length; j++) if (doc[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The device's search index over the replica: MiniSearch with the shared
 * tokenizer (so it finds what the server finds), updated one message at a
 * time as the replica changes. Filters and phrases are checked on the kept
 * rows, the way the server's SQL checks them.
 */
export class MiniSearchIndex {
  readonly #docs = new Map<string, IndexedMessage>();
  readonly #search = new MiniSearch<IndexedMessage>({
    fields: ['content'],
    tokenize: terms,
    // Terms come out of the shared tokenizer already folded.
    processTerm: (term) => term,
    searchOptions: {
      tokenize: terms,
      processTerm: (term) => term,
      combineWith: 'AND',
      prefix: (term) => isCjkUnigram(term),
    },
  });

  get size(): number {
    return this.#docs.size;
  }

  /** Adds or replaces a message; unchanged rows cost nothing. */
  put(doc: IndexedMessage): void {
    const old = this.#docs.get(doc.id);
    if (old && sameDoc(old, doc)) return;
    if (old) this.#search.discard(doc.id);
    this.#search.add(doc);
    this.#docs.set(doc.id, doc);
  }

  remove(id: string): void {
    if (!this.#docs.has(id)) return;
    this.#search.discard(id);
    this.#docs.delete(id);
  }

  /** Drops what `keep` no longer holds (deleted messages, revoked channels). */
  retain(keep: ReadonlySet<string>): void {
    for (const id of [...this.#docs.keys()]) if (!keep.has(id)) this.remove(id);
  }

  search(query: SearchQuery, names: SearchNames, limit = DEVICE_RESULTS): DeviceHit[] {
    const words = query.phrases.flat();
    const scored: { doc: IndexedMessage; score: number }[] = [];
    if (words.length > 0) {
      for (const r of this.#search.search({ combineWith: 'AND', queries: words })) {
        const doc = this.#docs.get(String(r.id));
        if (doc) scored.push({ doc, score: r.score });
      }
    } else {
      for (const doc of this.#docs.values()) scored.push({ doc, score: 0 });
    }
    const ids = (list: string[], map: Record<string, string | string[]>): Set<string> =>
      new Set(list.flatMap((n) => map[n] ?? []));
    const from = ids(query.from, names.users);
    const inChannels = ids(query.in, names.channels);
    const mentioned = ids(query.mentions, names.users);
    const phrases = query.phrases.filter((p) => p.length > 1);
    const before = query.before === null ? null : Date.parse(query.before);
    const after = query.after === null ? null : Date.parse(query.after);
    const keep = (doc: IndexedMessage): boolean => {
      if (query.from.length > 0 && !from.has(doc.authorId)) return false;
      if (query.in.length > 0 && !inChannels.has(doc.channelId)) return false;
      if (query.mentions.length > 0 && !doc.mentions.some((u) => mentioned.has(u))) return false;
      if (query.has.includes('file') && !doc.hasFile) return false;
      if (query.has.includes('image') && !doc.hasImage) return false;
      if (query.has.includes('link') && !doc.hasLink) return false;
      if (query.pinned !== null && doc.pinned !== query.pinned) return false;
      if (before !== null && !(Date.parse(doc.createdAt) < before)) return false;
      if (after !== null && !(Date.parse(doc.createdAt) >= after)) return false;
      // Phrases re-tokenize the text: checked last, and only until the page is full.
      if (phrases.length > 0) {
        const seq = terms(doc.content);
        if (!phrases.every((p) => hasSequence(seq, p))) return false;
      }
      return true;
    };
    scored.sort((a, b) => b.score - a.score || (a.doc.id < b.doc.id ? 1 : -1));
    const hits: typeof scored = [];
    for (const s of scored) {
      if (hits.length >= limit) break;
      if (keep(s.doc)) hits.push(s);
    }
    return hits.slice(0, limit).map(({ doc, score }) => ({
      id: doc.id,
      channelId: doc.channelId,
      score,
      snippet: snippet(doc.content, words),
    }));
  }
}
