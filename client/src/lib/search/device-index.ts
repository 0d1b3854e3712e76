import { snippet, terms, type Message, type SearchQuery, type SnippetPart } from '@echora/shared';
import { Postings } from './postings.ts';

/** What the device index keeps of a message, beside its postings. */
export interface IndexedMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  createdAt: string;
  pinned: boolean;
  hasFile: boolean;
  hasImage: boolean;
  hasLink: boolean;
  mentions: string[];
}

/** Names the query uses, resolved from the replica: lower-case username / channel name → ids. */
export interface SearchNames {
  users: Record<string, string>;
  channels: Record<string, string[]>;
}

export interface DeviceHit {
  id: string;
  channelId: string;
  /** Results come newest first: the message's time (ms). */
  score: number;
  snippet: SnippetPart[];
}

/** Results per query on the device. */
export const DEVICE_RESULTS = 50;

export function toIndexed(m: Message): IndexedMessage {
  return {
    id: m.id,
    channelId: m.channelId,
    authorId: m.authorId,
    content: m.content,
    createdAt: m.createdAt,
    pinned: m.pinnedAt !== null,
    hasFile: m.attachments.length > 0,
    hasImage: m.attachments.some((a) => a.contentType.startsWith('image/')),
    hasLink: /https?:\/\//i.test(m.content),
    mentions: m.mentions.users,
  };
}

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
 * Orders entries newest first. They come in indexing order, which is mostly
 * time order (the replica hands them over by id, UUIDv7): then reversing is
 * enough, and only a list out of order pays for a sort.
 */
function newestFirst(entries: Entry[]): void {
  entries.reverse();
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1] as Entry;
    const b = entries[i] as Entry;
    if (a.time < b.time || (a.time === b.time && a.doc.id < b.doc.id)) {
      entries.sort((x, y) => y.time - x.time || (x.doc.id < y.doc.id ? 1 : -1));
      return;
    }
  }
}

/** A kept message, its number in the postings and its time (for newest first). */
interface Entry {
  doc: IndexedMessage;
  num: number;
  time: number;
}

/**
 * The device's search index over the replica: an inverted index of the
 * shared tokenizer's terms (so it finds what the server finds), updated one
 * message at a time as the replica changes. Matches come newest first;
 * filters and phrases are checked on the kept rows, the way the server's SQL
 * checks them, only until the page is full. (Chosen over MiniSearch by bench
 * P20: MiniSearch scored every match of a common word and lost to a scan.)
 */
export class DeviceIndex {
  readonly #entries = new Map<string, Entry>();
  readonly #byNum: (Entry | undefined)[] = [];
  readonly #postings = new Postings();

  get size(): number {
    return this.#entries.size;
  }

  /** Adds or replaces a message; unchanged rows cost nothing. */
  put(doc: IndexedMessage): void {
    const old = this.#entries.get(doc.id);
    if (old && sameDoc(old.doc, doc)) return;
    if (old) this.remove(doc.id);
    const entry = {
      doc,
      num: this.#postings.add(terms(doc.content)),
      time: Date.parse(doc.createdAt),
    };
    this.#entries.set(doc.id, entry);
    this.#byNum[entry.num] = entry;
  }

  remove(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#postings.remove(entry.num);
    this.#byNum[entry.num] = undefined;
    this.#entries.delete(id);
  }

  /** Drops what `keep` no longer holds (deleted messages, revoked channels). */
  retain(keep: ReadonlySet<string>): void {
    for (const id of [...this.#entries.keys()]) if (!keep.has(id)) this.remove(id);
  }

  search(query: SearchQuery, names: SearchNames, limit = DEVICE_RESULTS): DeviceHit[] {
    const words = query.phrases.flat();
    const matched: Entry[] = [];
    if (words.length > 0) {
      for (const num of this.#postings.match(words)) {
        const entry = this.#byNum[num];
        if (entry) matched.push(entry);
      }
    } else {
      matched.push(...this.#entries.values());
    }
    const ids = (list: string[], map: Record<string, string | string[]>): Set<string> =>
      new Set(list.flatMap((n) => map[n] ?? []));
    const from = ids(query.from, names.users);
    const inChannels = ids(query.in, names.channels);
    const mentioned = ids(query.mentions, names.users);
    const phrases = query.phrases.filter((p) => p.length > 1);
    const before = query.before === null ? null : Date.parse(query.before);
    const after = query.after === null ? null : Date.parse(query.after);
    const keep = ({ doc, time }: Entry): boolean => {
      if (query.from.length > 0 && !from.has(doc.authorId)) return false;
      if (query.in.length > 0 && !inChannels.has(doc.channelId)) return false;
      if (query.mentions.length > 0 && !doc.mentions.some((u) => mentioned.has(u))) return false;
      if (query.has.includes('file') && !doc.hasFile) return false;
      if (query.has.includes('image') && !doc.hasImage) return false;
      if (query.has.includes('link') && !doc.hasLink) return false;
      if (query.pinned !== null && doc.pinned !== query.pinned) return false;
      if (before !== null && !(time < before)) return false;
      if (after !== null && !(time >= after)) return false;
      // Phrases re-tokenize the text: checked last, and only until the page is full.
      if (phrases.length > 0) {
        const seq = terms(doc.content);
        if (!phrases.every((p) => hasSequence(seq, p))) return false;
      }
      return true;
    };
    newestFirst(matched);
    const hits: Entry[] = [];
    for (const entry of matched) {
      if (hits.length >= limit) break;
      if (keep(entry)) hits.push(entry);
    }
    return hits.map(({ doc, time }) => ({
      id: doc.id,
      channelId: doc.channelId,
      score: time,
      snippet: snippet(doc.content, words),
    }));
  }
}
