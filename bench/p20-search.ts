/**
 * P20 — server search p95 (`findMessages`: the app-tokenized tsvector, GIN,
 * permission filter, ranking, snippets) over N messages, against a plain
 * `ILIKE` scan for the same words over the same table in the same run, on
 * Postgres and on PGlite. Typical queries: a rare word, a mid-frequency
 * word, two words, a phrase, a CJK word and an emoji.
 */
import { parseQuery } from '@echora/shared';
import { createPgDb } from '../sync-server/src/db/pg.ts';
import { createPgliteDb } from '../sync-server/src/db/pglite.ts';
import { migrate } from '../sync-server/src/db/migrate.ts';
import type { ScriptDb } from '../sync-server/src/db/script.ts';
import { findMessages } from '../sync-server/src/domain/search/find.ts';
import { searchVector } from '../sync-server/src/domain/search/vector.ts';
import type { Figure } from './lib/figure.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { seedSearchMessages } from './lib/search-seed.ts';
import { percentile, round } from './lib/stats.ts';
import { p20Device } from './p20-device.ts';

const PG_MESSAGES = Number(process.env.P20_PG_MESSAGES ?? 200_000);
const PGLITE_MESSAGES = Number(process.env.P20_PGLITE_MESSAGES ?? 20_000);
const RUNS = Number(process.env.P20_RUNS ?? 10);
const CHANNELS = 20;

/** Query text, and the ILIKE patterns a plain scan would use for it. */
const QUERIES: [string, string[]][] = [
  ['w3bkx', ['%w3bkx%']],
  ['w1ax', ['%w1ax%']],
  ['w2x w5x', ['%w2x%', '%w5x%']],
  ['"w0x w1x"', ['%w0x w1x%']],
  ['東京', ['%東京%']],
  ['🍕', ['%🍕%']],
];

async function measure(db: ScriptDb, visible: string[]): Promise<{ fts: number; ilike: number }> {
  const fts: number[] = [];
  const ilike: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const [q, patterns] of QUERIES) {
      const parsed = parseQuery(q);
      if (!parsed.ok) throw new Error(parsed.error);
      let t = performance.now();
      await findMessages(db, parsed.query, visible, null);
      fts.push(performance.now() - t);
      t = performance.now();
      await db.query(
        `SELECT id, content FROM messages
         WHERE channel_id = ANY($1::uuid[]) AND deleted_at IS NULL
           AND ${patterns.map((_, i) => `content ILIKE $${i + 2}`).join(' AND ')}
         ORDER BY id DESC LIMIT 26`,
        [visible, ...patterns],
      );
      ilike.push(performance.now() - t);
    }
  }
  return { fts: percentile(fts, 95), ilike: percentile(ilike, 95) };
}

/** The SQL seeding must write what the app writes: compare a sample with `searchVector`. */
async function checkVectors(db: ScriptDb): Promise<void> {
  const { rows } = await db.query<{ content: string; search: string }>(
    `SELECT content, search::text AS search FROM messages ORDER BY seq LIMIT 500`,
  );
  for (const row of rows) {
    const { rows: same } = await db.query<{ same: boolean }>(
      `SELECT $1::tsvector = $2::tsvector AS same`,
      [searchVector(row.content), row.search],
    );
    if (!same[0]?.same) throw new Error(`seeded vector differs for "${row.content}"`);
  }
}

async function figure(kind: 'pg' | 'pglite', total: number): Promise<Figure> {
  const database = kind === 'pg' ? await createBenchDatabase() : undefined;
  const db = database
    ? createPgDb({ connectionString: database.url, max: 2 })
    : await createPgliteDb();
  try {
    await migrate(db);
    const started = performance.now();
    const visible = await seedSearchMessages(db, total, CHANNELS);
    const seedS = (performance.now() - started) / 1000;
    await checkVectors(db);
    const { fts, ilike } = await measure(db, visible);
    return {
      id: 'P20',
      name: `server search p95 over ${total.toLocaleString('en-US')} messages (${kind})`,
      value: round(fts),
      unit: 'ms',
      baselineName: 'ILIKE scan, same words',
      baseline: round(ilike),
      better: 'lower',
      notes: `${QUERIES.length} queries × ${RUNS} runs; seeding (SQL, with vectors) took ${seedS.toFixed(1)} s`,
    };
  } finally {
    await db.close();
    await database?.drop();
  }
}

/** `P20_PARTS` picks some of `pg,pglite,device` (default all). */
const PARTS = new Set(
  (process.env.P20_PARTS ?? 'pg,pglite,device').split(',').map((s) => s.trim()),
);

export async function p20(): Promise<Figure[]> {
  const figures: Figure[] = [];
  if (PARTS.has('pg')) figures.push(await figure('pg', PG_MESSAGES));
  if (PARTS.has('pglite')) figures.push(await figure('pglite', PGLITE_MESSAGES));
  if (PARTS.has('device')) figures.push(...(await p20Device()));
  return figures;
}
