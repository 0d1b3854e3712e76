import type { Queryable } from '../../db/types.ts';
import { searchVector } from './vector.ts';

const BATCH = 500;

/**
 * Indexes live messages written before search existed (their `search` is
 * null), a batch at a time, so start-up is not one long transaction. New
 * writes index themselves in their own transaction; this only catches up.
 *
 * @returns how many messages it indexed.
 */
export async function backfillSearch(db: Queryable): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await db.query<{ id: string; content: string }>(
      `SELECT id, content FROM messages WHERE search IS NULL AND deleted_at IS NULL
       ORDER BY id LIMIT $1`,
      [BATCH],
    );
    if (rows.length === 0) return total;
    await db.query(
      `UPDATE messages m SET search = v.search::tsvector
       FROM unnest($1::uuid[], $2::text[]) AS v(id, search) WHERE m.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => searchVector(r.content))],
    );
    total += rows.length;
  }
}
