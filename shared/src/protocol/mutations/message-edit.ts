import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { messageContent } from './common.ts';

/** Edit a message's content. Only its author may. */
export const messageEditArgs = Type.Object(
  { id: Uuid, content: messageContent },
  { additionalProperties: false },
);
export type MessageEditArgs = Static<typeof messageEditArgs>;
