import type { LinkPreview } from '@echora/shared';
import type { Writer } from '../../write/writer.ts';
import type { MutationContext } from '../../write/context.ts';
import { linkPreviewsOn } from '../community/queries.ts';
import { publishMessage } from '../messages/publish.ts';
import { MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';

/**
 * Ends a message's unfurl job and, if it is still wanted, writes the cards
 * on the message and sends it to the channel. The message row is locked
 * first, as `message.removePreview` locks it: a removal that came while the
 * pages were fetched has deleted the job, and then nothing is written (nor
 * for a deleted message, nor once the community turned previews off).
 *
 * @returns whether cards were written.
 */
export function writePreviews(
  writer: Writer,
  messageId: string,
  previews: readonly LinkPreview[],
): Promise<boolean> {
  return writer.commitAndPublish(async (tx, changes) => {
    const { rows: live } = await tx.query<{ deleted: boolean }>(
      'SELECT deleted_at IS NOT NULL AS deleted FROM messages WHERE id = $1 FOR UPDATE',
      [messageId],
    );
    const job = await tx.query('DELETE FROM link_preview_jobs WHERE message_id = $1', [messageId]);
    if ((job.rowCount ?? 0) === 0 || live[0]?.deleted !== false) return false;
    if (previews.length === 0 || !(await linkPreviewsOn(tx))) return false;
    const { rows } = await tx.query<MessageRow>(
      `UPDATE messages SET previews = $2::jsonb WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
      [messageId, JSON.stringify(previews)],
    );
    await publishMessage({ tx, changes } as MutationContext, rows[0] as MessageRow);
    return true;
  });
}
