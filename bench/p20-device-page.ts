/**
 * Runs inside a Chromium page (bundled by p20-device.ts): builds each
 * candidate device search index (the app's inverted index, and MiniSearch)
 * over the same N synthetic replica messages, then times the same queries on
 * each against a linear scan of the rows (lowercased `includes` per word).
 */
import { parseQuery, type SearchQuery } from '@echora/shared';
import {
  DeviceIndex,
  type DeviceHit,
  type IndexedMessage,
  type SearchNames,
} from '../client/src/lib/search/device-index.ts';
import { MiniSearchIndex } from './lib/minisearch-index.ts';

interface Candidate {
  put(doc: IndexedMessage): void;
  search(query: SearchQuery, names: SearchNames): DeviceHit[];
}

/** Build time and query times of one candidate. */
function time(index: Candidate, docs: IndexedMessage[], runs: number) {
  let t = performance.now();
  for (const d of docs) index.put(d);
  const buildMs = performance.now() - t;
  const names = { users: {}, channels: {} };
  const took: number[] = [];
  const found: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    for (const q of QUERIES) {
      const parsed = parseQuery(q);
      if (!parsed.ok) throw new Error(parsed.error);
      t = performance.now();
      found[q] = index.search(parsed.query, names).length;
      took.push(performance.now() - t);
    }
  }
  return { buildMs, query: p95(took), found };
}

const VOCAB = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}x`);
const EXTRA = ['東京都', '大阪', '🍕', '❤️', 'café', 'naïve'];
const QUERIES = ['w3bkx', 'w1ax', 'w2x w5x', '"w0x w1x"', '東京', '🍕'];

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? Number.NaN;
}

export function run(total: number, runs: number) {
  let s = 42;
  const next = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const docs: IndexedMessage[] = [];
  for (let i = 0; i < total; i++) {
    const words: string[] = [];
    const n = 5 + Math.floor(next() * 20);
    for (let j = 0; j < n; j++) {
      words.push(
        next() < 0.03
          ? (EXTRA[Math.floor(next() * EXTRA.length)] ?? '')
          : (VOCAB[Math.floor(VOCAB.length ** next()) - 1] ?? 'w0x'),
      );
    }
    docs.push({
      id: String(i).padStart(8, '0'),
      channelId: `c${i % 20}`,
      authorId: 'u',
      content: words.join(' '),
      createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      pinned: false,
      hasFile: false,
      hasImage: false,
      hasLink: false,
      mentions: [],
    });
  }
  const scanned: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const q of QUERIES) {
      const needles = q.replaceAll('"', '').toLowerCase().split(' ');
      const t = performance.now();
      const found: IndexedMessage[] = [];
      for (const d of docs) {
        const text = d.content.toLowerCase();
        if (needles.every((w) => text.includes(w))) found.push(d);
      }
      found.slice(0, 50);
      scanned.push(performance.now() - t);
    }
  }
  const postings = time(new DeviceIndex(), docs, runs);
  const minisearch = time(new MiniSearchIndex(), docs, runs);
  return { postings, minisearch, scan: p95(scanned) };
}
