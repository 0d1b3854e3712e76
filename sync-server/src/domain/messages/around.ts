import type { AroundResponse } from '@echora/shared/protocol/rest/search';
import type { Queryable } from '../../db/types.ts';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './queries.ts';

/**
 * The live messages of `channelId` around message `id` (up to `limit` on each
 * side, oldest first, the target included), or null when `id` is no live
 * message of that channel. Jump-to from search loads this.
 */
export async function messagesAround(
  db: Queryable,
  channelId: string,
  id: string,
  limit: number,
): Promise<AroundResponse | null> {
  const target = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND channel_id = $2 AND deleted_at IS NULL`,
    [id, channelId],
  );
  const self = target.rows[0];
  if (!self) return null;
  const seq = self.seq;
  const side = (op: '<' | '>', order: 'ASC' | 'DESC') =>
    db.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE channel_id = $1 AND deleted_at IS NULL AND seq ${op} $2
       ORDER BY seq ${order} LIMIT $3`,
      [channelId, seq, limit + 1],
    );
  const [before, after] = [await side('<', 'DESC'), await side('>', 'ASC')];
  const rows = [...before.rows.slice(0, limit).reverse(), self, ...after.rows.slice(0, limit)];
  return {
    messages: rows.map(toMessage),
    hasBefore: before.rows.length > limit,
    hasAfter: after.rows.length > limit,
  };
}
