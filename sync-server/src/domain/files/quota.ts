import { AppError } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

/** Bytes of live files (attachments, pending uploads, avatars) `userId` owns. */
export async function usedBytes(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ used: string | number }>(
    'SELECT coalesce(sum(size), 0) AS used FROM files WHERE owner_id = $1 AND deleted_at IS NULL',
    [userId],
  );
  return Number(rows[0]?.used ?? 0);
}

const mb = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MB`;

/**
 * Refuses (`quota_exceeded`) when `adding` more bytes would take a user who
 * already stores `used` past `quotaBytes`; a quota of 0 means none.
 */
export function checkQuota(used: number, adding: number, quotaBytes: number): void {
  if (quotaBytes === 0 || used + adding <= quotaBytes) return;
  throw new AppError(
    'quota_exceeded',
    `Your files use ${mb(used)} of your ${mb(quotaBytes)} quota; this upload needs ${mb(adding)} more. ` +
      'Delete messages with files to make room.',
  );
}
