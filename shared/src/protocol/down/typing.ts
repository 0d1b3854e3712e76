import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** `userId` is typing in `channelId`; forget it after `expiresInMs` unless renewed. */
export const typingDown = Type.Object({
  type: Type.Literal('typing'),
  channelId: Uuid,
  userId: Uuid,
  expiresInMs: Type.Integer(),
});
export type TypingDown = Static<typeof typingDown>;
