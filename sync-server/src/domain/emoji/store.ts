import type { Emoji } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../db/timestamps.ts';

export interface EmojiRow extends Record<string, unknown> {
  id: string;
  name: string;
  content_type: string;
  animated: boolean;
  created_by: string;
  created_at: Date | string;
}

export const EMOJI_COLUMNS = 'id, name, content_type, animated, created_by, created_at';

/** Where the image of a custom emoji is served. */
export const emojiUrl = (id: string): string => `/api/emoji/${id}`;

/** A custom emoji as clients see it (community scope). */
export function toEmoji(row: EmojiRow): Emoji {
  return {
    id: row.id,
    name: row.name,
    url: emojiUrl(row.id),
    animated: row.animated,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
  };
}

/** Every custom emoji, by name (for a community snapshot). */
export async function listEmojis(db: Queryable): Promise<Emoji[]> {
  const { rows } = await db.query<EmojiRow>(`SELECT ${EMOJI_COLUMNS} FROM emojis ORDER BY name`);
  return rows.map(toEmoji);
}

/** The image bytes and type of an emoji, or undefined. */
export async function emojiImage(
  db: Queryable,
  id: string,
): Promise<{ contentType: string; data: Uint8Array } | undefined> {
  const { rows } = await db.query<{ content_type: string; data: Uint8Array }>(
    'SELECT content_type, data FROM emojis WHERE id = $1',
    [id],
  );
  const row = rows[0];
  return row && { contentType: row.content_type, data: row.data };
}
