import type { Queryable } from '../../db/types.ts';
import type { FileStorage } from '../../storage/index.ts';
import { fileKey, thumbKey } from './queries.ts';

/** Uploads never attached are removed after this long. */
export const ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * A preview image no card names is removed after this long: the worker stores
 * the image before it writes the card that names it.
 */
export const PREVIEW_GRACE_MS = 60 * 60 * 1000;

/** Files one sweep round removes; rounds repeat until none is left. */
export const SWEEP_BATCH = 1000;

/**
 * Removes the bytes of files nobody can reach any more, then marks their rows
 * deleted: uploads never attached within `maxAgeMs`, files of deleted
 * messages, avatars no profile uses, and link preview images (after
 * `PREVIEW_GRACE_MS`) that neither a live message's cards nor an unexpired
 * cache entry names any more (the preview removed, the message deleted, the
 * cache expired). Bytes go first, so a failure leaves
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
  const previewCutoff = new Date(now.getTime() - PREVIEW_GRACE_MS);
  const removed: string[] = [];
  for (;;) {
    const ids = await sweepRound(db, storage, { cutoff, previewCutoff, now }, batch);
    removed.push(...ids);
    // A short round found everything that was left.
    if (ids.length < batch) return removed;
  }
}

/** The times a round compares with. */
interface SweepTimes {
  /** Unattached uploads and unused avatars made before it go. */
  cutoff: Date;
  /** Unused preview images made before it go. */
  previewCutoff: Date;
  now: Date;
}

async function sweepRound(
  db: Queryable,
  storage: FileStorage,
  { cutoff, previewCutoff, now }: SweepTimes,
  batch: number,
): Promise<string[]> {
  // A card names its image by URL (`imageUrl`, see fileUrl); containment
  // (`@>`) uses the GIN indexes of migration 0024.
  const { rows } = await db.query<{ id: string }>(
    `SELECT f.id FROM files f
     LEFT JOIN messages m ON m.id = f.message_id
     WHERE f.deleted_at IS NULL AND (
       (f.message_id IS NULL AND f.purpose = 'attachment' AND f.created_at < $1)
       OR m.deleted_at IS NOT NULL
       OR (f.purpose = 'avatar' AND f.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_file_id = f.id))
       OR (f.purpose = 'preview' AND f.message_id IS NULL AND f.created_at < $3
           AND NOT EXISTS (
             SELECT 1 FROM messages c WHERE c.deleted_at IS NULL
               AND c.previews @> jsonb_build_array(jsonb_build_object('imageUrl', '/api/files/' || f.id)))
           AND NOT EXISTS (
             SELECT 1 FROM link_preview_cache p WHERE p.expires_at > $4
               AND p.preview @> jsonb_build_object('imageUrl', '/api/files/' || f.id))))
     LIMIT $2`,
    [cutoff, batch, previewCutoff, now],
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
