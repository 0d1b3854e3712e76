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
import type { Access } from '../permissions/access.ts';
import { queuePreviews } from '../previews/enqueue.ts';
import { searchVector } from '../search/vector.ts';
import { queueEvent } from '../webhooks/enqueue.ts';

/**
 * Writes a webhook's message in its channel, as its author row. The token
 * was the authorization: a webhook posts whatever the channel's permissions
 * say about anyone, but it mentions nobody (no notification, no @everyone).
 * `attachments` are uploads the webhook's author row owns, attached to nothing.
 * Like a member's message, it queues its link previews and raises
 * `message.created` (with `webhookId`, so an app can skip its own posts).
 */
export async function postWebhookMessage(
  writer: Pick<Writer, 'commitAndPublish'>,
  webhook: { id: string; channelId: string; authorId: string },
  access: Access,
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
    await queuePreviews(tx, message.id, content);
    await queueEvent(
      tx,
      'message.created',
      {
        message: {
          id: message.id,
          channelId: webhook.channelId,
          authorId: webhook.authorId,
          content,
          createdAt: message.createdAt,
          replyToId: null,
        },
        webhookId: webhook.id,
      },
      { channelId: webhook.channelId, access },
    );
    return message;
  });
}
