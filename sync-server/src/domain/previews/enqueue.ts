import type { Queryable } from '../../db/types.ts';
import { linkPreviewsOn } from '../community/queries.ts';
import { previewLinks } from './links.ts';

/**
 * Queues the unfurl of a new message's first links, in the transaction that
 * writes it (so it is queued exactly when the message commits). Nothing when
 * the message has no link or the community has previews off.
 */
export async function queuePreviews(
  tx: Queryable,
  messageId: string,
  content: string,
): Promise<void> {
  const urls = previewLinks(content);
  if (urls.length === 0 || !(await linkPreviewsOn(tx))) return;
  await tx.query(
    'INSERT INTO link_preview_jobs (message_id, urls) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [messageId, urls],
  );
}
