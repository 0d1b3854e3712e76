import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { MAX_ATTACHMENTS } from '../rest/files.ts';
import { Limits } from '../limits.ts';
import { multiLineText } from '../text.ts';

/**
 * Send a message. `id` is a UUIDv7 made by the client, so a resend is recognised.
 * `replyToId`: the message of the same channel this one answers (it may be deleted later).
 */
export const messageSendArgs = Type.Object(
  {
    id: Uuid,
    channelId: Uuid,
    /** The text; blank (even empty) only when files are attached. No control characters but tab and line breaks. */
    content: multiLineText({ maxLength: Limits.messageLength }),
    replyToId: Type.Optional(Uuid),
    /**
     * Uploads (`POST /api/uploads`) of the sender, not attached yet, in display
     * order. With attachments, `content` is the caption and may be blank.
     */
    attachmentIds: Type.Optional(Type.Array(Uuid, { maxItems: MAX_ATTACHMENTS })),
  },
  { additionalProperties: false },
);
export type MessageSendArgs = Static<typeof messageSendArgs>;
