import {
  emptyMessageExtras,
  type Attachment,
  type LinkPreview,
  type Mentions,
  type Message,
  type Poll,
  type Reaction,
} from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso, isoOrNull } from '../../db/timestamps.ts';

export interface MessageRow extends Record<string, unknown> {
  id: string;
  channel_id: string;
  author_id: string;
  content: string;
  seq: number;
  created_at: Date | string;
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
  reply_to_id?: string | null;
  pinned_at?: Date | string | null;
  reactions?: Reaction[] | null;
  thread_id?: string | null;
  thread_reply_count?: number | null;
  thread_last_reply_at?: Date | string | null;
  attachments?: Attachment[] | null;
  mentions?: Mentions | null;
  poll?: Poll | null;
  previews?: LinkPreview[] | null;
}

export const MESSAGE_COLUMNS =
  'id, channel_id, author_id, content, seq, created_at, edited_at, deleted_at, ' +
  'reply_to_id, pinned_at, reactions, thread_id, thread_reply_count, thread_last_reply_at, ' +
  'attachments, mentions, poll, previews';

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
    ...emptyMessageExtras(),
    replyToId: row.reply_to_id ?? null,
    pinnedAt: isoOrNull(row.pinned_at ?? null),
    reactions: row.reactions ?? [],
    attachments: row.attachments ?? [],
    mentions: row.mentions ?? emptyMessageExtras().mentions,
    thread: row.thread_id
      ? {
          id: row.thread_id,
          replyCount: Number(row.thread_reply_count ?? 0),
          lastReplyAt: isoOrNull(row.thread_last_reply_at ?? null),
        }
      : null,
    ...(row.poll ? { poll: row.poll } : {}),
    ...(row.previews?.length ? { previews: row.previews } : {}),
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
 * when `before` is null), newest first, and whether older ones exist. With
 * `maxBytes`, the page stops before the message that would take its JSON past
 * it (the first message always goes, so paging never stalls); `hasMore` then
 * says the rest is there.
 */
export async function messagePage(
  db: Queryable,
  channelId: string,
  before: number | null,
  limit: number,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ messages: Message[]; hasMore: boolean }> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
     WHERE channel_id = $1 AND deleted_at IS NULL AND ($2::bigint IS NULL OR seq < $2::bigint)
     ORDER BY seq DESC LIMIT $3`,
    [channelId, before, limit + 1],
  );
  const messages: Message[] = [];
  let bytes = 0;
  for (const row of rows.slice(0, limit)) {
    const message = toMessage(row);
    if (maxBytes !== Number.POSITIVE_INFINITY) {
      bytes += Buffer.byteLength(JSON.stringify(message));
      if (bytes > maxBytes && messages.length > 0) return { messages, hasMore: true };
    }
    messages.push(message);
  }
  return { messages, hasMore: rows.length > limit };
}
