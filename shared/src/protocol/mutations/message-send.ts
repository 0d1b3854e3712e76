import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { messageContent } from './common.ts';

/** Send a message. `id` is a UUIDv7 made by the client, so a resend is recognised. */
export const messageSendArgs = Type.Object(
  { id: Uuid, channelId: Uuid, content: messageContent },
  { additionalProperties: false },
);
export type MessageSendArgs = Static<typeof messageSendArgs>;
