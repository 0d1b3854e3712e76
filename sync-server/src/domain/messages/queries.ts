import type { Message } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso, isoOrNull } from '../../sync/values.ts';

export interface MessageRow extends Record<string, unknown> {
  id: string;
  channel_id: string;
  author_id: string;
  content: string;
  seq: number;
  created_at: Date | string;
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
}

export const MESSAGE_COLUMNS =
  'id, channel_id, author_id, content, seq, created_at, edited_at, deleted_at';

/** A message row as clients see it. */
export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    channelId: row.channel_id,
    authorId: row.author_id,
    content: row.content,
    seq: Number(row.seq),
    createdAt: iso(row.created_at),
    editedAt: isoOrNull(row.edited_at),
  };
}

/** A message by id, deleted or not; `forUpdate` locks it until the transaction ends. */
export async function findMessage(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<MessageRow | undefined> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/**
 * Up to `limit` live messages of a channel with `seq < before` (or the newest
 * when `before` is null), newest first, and whether older ones exist.
 */
export async function messagePage(
  db: Queryable,
  channelId: string,
  before: number | null,
  limit: number,
): Promise<{ messages: Message[]; hasMore: boolean }> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
     WHERE channel_id = $1 AND deleted_at IS NULL AND ($2::bigint IS NULL OR seq < $2::bigint)
     ORDER BY seq DESC LIMIT $3`,
    [channelId, before, limit + 1],
  );
  return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
}
