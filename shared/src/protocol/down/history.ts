import { Type, type Static } from 'typebox';
import { messageSchema } from '../entities.ts';

/** A page of older messages, newest first. */
export const historyDown = Type.Object({
  type: Type.Literal('history'),
  requestId: Type.String(),
  channelId: Type.String(),
  messages: Type.Array(messageSchema),
  hasMore: Type.Boolean(),
});
export type HistoryDown = Static<typeof historyDown>;
