import type { Queryable } from '../../db/types.ts';
import type { FileStorage } from '../../storage/index.ts';
import { fileKey, thumbKey } from './queries.ts';

/** Uploads never attached are removed after this long. */
export const ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;

/** Files one sweep round removes; rounds repeat until none is left. */
export const SWEEP_BATCH = 1000;

/**
 * Removes the bytes of files nobody can reach any more, then marks their rows
 * deleted: uploads never attached within `maxAgeMs`, files of deleted
 * messages, and avatars no profile uses. Bytes go first, so a failure leaves
 * the row for the next sweep rather than bytes no row points to. It works in
 * rounds of at most `batch` files until none is left, so a backlog (a
 * banned spammer's messages deleted at once) is cleared in one sweep while
 * each round holds little in memory. Several nodes may sweep at once:
 * deleting twice is harmless.
 *
 * @returns the ids removed.
 */
export async function sweepFiles(
  db: Queryable,
  storage: FileStorage,
  now = new Date(),
  maxAgeMs = ORPHAN_AGE_MS,
  batch = SWEEP_BATCH,
): Promise<string[]> {
  const cutoff = new Date(now.getTime() - maxAgeMs);
  const removed: string[] = [];
  for (;;) {
    const ids = await sweepRound(db, storage, cutoff, now, batch);
    removed.push(...ids);
    // A short round found everything that was left.
    if (ids.length < batch) return removed;
  }
}

async function sweepRound(
  db: Queryable,
  storage: FileStorage,
  cutoff: Date,
  now: Date,
  batch: number,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT f.id FROM files f
     LEFT JOIN messages m ON m.id = f.message_id
     WHERE f.deleted_at IS NULL AND (
       (f.message_id IS NULL AND f.purpose = 'attachment' AND f.created_at < $1)
       OR m.deleted_at IS NOT NULL
       OR (f.purpose = 'avatar' AND f.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_file_id = f.id)))
     LIMIT $2`,
    [cutoff, batch],
  );
  const ids = rows.map((r) => r.id);
  for (const id of ids) {
    await storage.delete(fileKey(id));
    await storage.delete(thumbKey(id));
  }
  if (ids.length > 0) {
    // Marked deleted, they drop out of the next round's query: the loop ends.
    await db.query('UPDATE files SET deleted_at = $2 WHERE id = ANY($1::uuid[])', [ids, now]);
  }
  return ids;
}
