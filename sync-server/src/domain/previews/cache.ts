import type { LinkPreview } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

/** An unfurled page as cached: its card, or null with why it gave none. */
export interface CachedPreview {
  preview: LinkPreview | null;
  error: string | null;
}

/** The cached answer for a normalized URL, unless it has expired by `now`. */
export async function cachedPreview(
  db: Queryable,
  url: string,
  now: Date,
): Promise<CachedPreview | undefined> {
  const { rows } = await db.query<{ preview: LinkPreview | null; error: string | null }>(
    'SELECT preview, error FROM link_preview_cache WHERE url = $1 AND expires_at > $2',
    [url, now],
  );
  return rows[0];
}

/** Caches an answer for `ttlMs` from `now`, over any older one. */
export async function rememberPreview(
  db: Queryable,
  url: string,
  entry: CachedPreview,
  now: Date,
  ttlMs: number,
): Promise<void> {
  await db.query(
    `INSERT INTO link_preview_cache (url, preview, error, fetched_at, expires_at)
     VALUES ($1, $2::jsonb, $3, $4, $5)
     ON CONFLICT (url) DO UPDATE SET preview = EXCLUDED.preview, error = EXCLUDED.error,
       fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at`,
    [
      url,
      entry.preview ? JSON.stringify(entry.preview) : null,
      entry.error?.slice(0, 500) ?? null,
      now,
      new Date(now.getTime() + ttlMs),
    ],
  );
}

/** Deletes expired answers; returns how many. */
export async function pruneCache(db: Queryable, now: Date): Promise<number> {
  const result = await db.query('DELETE FROM link_preview_cache WHERE expires_at <= $1', [now]);
  return result.rowCount ?? 0;
}
