/**
 * Seeds P20's synthetic messages inside the database (generate_series), so a
 * million rows take minutes, not hours of round trips. The vocabulary and its
 * terms come from the app's tokenizer (shared/src/search), so each row's
 * `search` vector is exactly what the app would have written for its content:
 * the same terms at the same positions.
 */
import { newId, terms } from '@echora/shared';
import type { ScriptDb } from '../../sync-server/src/db/script.ts';

/** A Zipf-like vocabulary: word i is about 1/(i+1) as frequent as the first. */
export const VOCAB = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}x`);
/** Rarer words in 3 % of places: CJK, emoji, accents. */
export const EXTRA = ['東京都', '大阪', '🍕', '❤️', 'café', 'naïve'];

/** Rows per INSERT: big enough to amortize a statement, small enough for PGlite's memory. */
const BATCH = 50_000;

/** tsvector input for one lexeme (the vocabulary has no quotes or backslashes). */
const lexeme = (term: string): string => `'${term}'`;

/**
 * Inserts `total` messages over `channels` new text channels by one new user,
 * `seq` 1..total, ids UUIDv7-shaped and increasing. Deterministic for a given
 * database engine (setseed). Returns the channel ids.
 */
export async function seedSearchMessages(
  db: ScriptDb,
  total: number,
  channels: number,
): Promise<string[]> {
  const userId = newId();
  await db.query(
    `INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, 'bench', 'x', 'bench')`,
    [userId],
  );
  const channelIds = Array.from({ length: channels }, () => newId());
  for (const [i, id] of channelIds.entries()) {
    await db.query(`INSERT INTO channels (id, kind, name) VALUES ($1, 'text', $2)`, [id, `c${i}`]);
  }
  const words = [...VOCAB, ...EXTRA];
  await db.query(`CREATE TEMP TABLE bench_vocab (i int PRIMARY KEY, word text, lexemes text[])`);
  await db.query(
    `INSERT INTO bench_vocab SELECT i - 1, w, string_to_array(l, ' ')
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(w, l, i)`,
    [words, words.map((w) => terms(w).map(lexeme).join(' '))],
  );
  await db.query(`SELECT setseed(0.42)`);
  const start = Date.UTC(2025, 0, 1);
  for (let from = 1; from <= total; from += BATCH) {
    const to = Math.min(total, from + BATCH - 1);
    // Each message: 5-24 word picks (3 % from EXTRA), its content the words
    // joined by spaces, its vector each word's terms at running positions.
    await db.query(
      `INSERT INTO messages (id, channel_id, author_id, content, seq, created_at, search)
       SELECT
         (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
         ($3::uuid[])[1 + g % array_length($3::uuid[], 1)],
         $4::uuid, m.content, g,
         to_timestamp(($5::bigint + g * 1000) / 1000.0),
         m.vector::tsvector
       FROM generate_series($1::int, $2::int) AS g
       CROSS JOIN LATERAL (SELECT lpad(to_hex($5::bigint + g * 1000), 12, '0') AS h) AS hex
       CROSS JOIN LATERAL (
         SELECT string_agg(v.word, ' ' ORDER BY p.k) AS content,
                (SELECT string_agg(x.lex || ':' || x.pos, ' ')
                   FROM (SELECT l.lex, row_number() OVER (ORDER BY p2.k, l.o) AS pos
                           FROM unnest(array_agg(p.wi ORDER BY p.k)) WITH ORDINALITY AS p2(wi, k)
                           JOIN bench_vocab v2 ON v2.i = p2.wi
                           CROSS JOIN LATERAL unnest(v2.lexemes) WITH ORDINALITY AS l(lex, o)) AS x
                ) AS vector
         FROM (SELECT k, CASE WHEN random() < 0.03
                              THEN ${VOCAB.length} + floor(random() * ${EXTRA.length})::int
                              ELSE floor(power(${VOCAB.length}, random()))::int - 1 END AS wi
                 FROM generate_series(1, 5 + floor(random() * 20)::int + 0 * g) AS k) AS p
         JOIN bench_vocab v ON v.i = p.wi
       ) AS m`,
      [from, to, channelIds, userId, start],
    );
  }
  await db.query('DROP TABLE bench_vocab');
  await db.query('ANALYZE messages');
  return channelIds;
}
