import type { MutationContext } from '../../write/context.ts';
import { publishMessage } from '../messages/publish.ts';
import { MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';

/**
 * Recounts a thread's live messages onto the message it started from and
 * sends that message's new state to its channel. Call after writing to the
 * thread's scope: its version lock is held, so no concurrent thread write is
 * missed by the count. A channel that is not a thread is left alone.
 */
export async function refreshThreadSummary(ctx: MutationContext, channelId: string): Promise<void> {
  // A channel's kind never changes: one the cache knows as no thread needs no query (the send path).
  const known = ctx.access.data.channels.get(channelId);
  if (known && known.kind !== 'thread') return;
  const { rows: threads } = await ctx.tx.query<{ parent_message_id: string | null }>(
    "SELECT parent_message_id FROM channels WHERE id = $1 AND kind = 'thread'",
    [channelId],
  );
  const messageId = threads[0]?.parent_message_id;
  if (!messageId) return;
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET thread_id = $1,
       thread_reply_count = (SELECT count(*) FROM messages WHERE channel_id = $1 AND deleted_at IS NULL),
       thread_last_reply_at = (SELECT max(created_at) FROM messages WHERE channel_id = $1 AND deleted_at IS NULL)
     WHERE id = $2 AND deleted_at IS NULL RETURNING ${MESSAGE_COLUMNS}`,
    [channelId, messageId],
  );
  const row = rows[0];
  if (row) await publishMessage(ctx, row);
}
