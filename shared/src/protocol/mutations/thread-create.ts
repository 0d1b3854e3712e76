import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { channelName } from './common.ts';

/**
 * Start a thread from a message: a channel of kind `thread` (its id a UUIDv7
 * made by the client) under the message's channel, whose permissions it follows.
 * At most one thread per message.
 */
export const threadCreateArgs = Type.Object(
  { id: Uuid, channelId: Uuid, messageId: Uuid, name: channelName },
  { additionalProperties: false },
);
export type ThreadCreateArgs = Static<typeof threadCreateArgs>;
