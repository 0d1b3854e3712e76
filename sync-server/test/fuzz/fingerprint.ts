import type { Queryable } from '../../src/db/types.ts';

/**
 * A digest of the durable rows a refused request must not touch: users,
 * members, channels, messages and the feed.
 */
export async function fingerprint(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ f: string }>(
    `SELECT concat_ws('|',
       (SELECT md5(coalesce(string_agg(id::text || username, ',' ORDER BY id), '')) FROM users),
       (SELECT count(*) FROM members),
       (SELECT count(*) FROM feed),
       (SELECT md5(coalesce(string_agg(id::text || name || topic || position::text
          || coalesce(deleted_at::text, ''), ',' ORDER BY id), '')) FROM channels),
       (SELECT md5(coalesce(string_agg(id::text || content || coalesce(edited_at::text, '')
          || coalesce(deleted_at::text, ''), ',' ORDER BY id), '')) FROM messages)
     ) AS f`,
  );
  return rows[0]?.f ?? '';
}
