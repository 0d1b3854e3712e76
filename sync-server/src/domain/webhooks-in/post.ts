import {
  AppError,
  channelScope,
  emptyMessageExtras,
  newId,
  type Attachment,
  type Message,
} from '@echora/shared';
import type { Writer } from '../../write/writer.ts';
import { takeVersions } from '../../write/feed.ts';
import { findChannel } from '../channels/queries.ts';
import { attachUploads } from '../files/attach.ts';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../messages/queries.ts';
import { searchVector } from '../search/vector.ts';

/**
 * Writes a webhook's message in its channel, as its author row. The token
 * was the authorization: a webhook posts whatever the channel's permissions
 * say about anyone, but it mentions nobody (no notification, no @everyone).
 * `attachments` are uploads the webhook's author row owns, attached to nothing.
 */
export async function postWebhookMessage(
  writer: Pick<Writer, 'commitAndPublish'>,
  webhook: { channelId: string; authorId: string },
  content: string,
  attachments: readonly Attachment[] = [],
): Promise<Message> {
  return writer.commitAndPublish(async (tx, changes) => {
    const channel = await findChannel(tx, webhook.channelId, true);
    if (!channel || channel.deleted_at !== null) {
      throw new AppError('not_found', 'No such webhook.');
    }
    const scope = channelScope(webhook.channelId);
    const version = await takeVersions(tx, scope);
    const mentions = emptyMessageExtras().mentions;
    const { rows } = await tx.query<MessageRow>(
      `INSERT INTO messages (id, channel_id, author_id, content, seq, created_at, mentions, search)
       VALUES ($1, $2, $3, $4, $5, now(), $6, $7::tsvector) RETURNING ${MESSAGE_COLUMNS}`,
      [
        newId(),
        webhook.channelId,
        webhook.authorId,
        content,
        version,
        JSON.stringify(mentions),
        searchVector(content),
      ],
    );
    const message = toMessage(rows[0] as MessageRow);
    await attachUploads(tx, message.id, attachments);
    message.attachments = [...attachments];
    await changes.appendAt(tx, scope, version, [
      { op: 'upsert', entity: 'message', id: message.id, data: message },
    ]);
    return message;
  });
}
