import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { Limits } from '../limits.ts';

/** Ask for older messages of a channel: those with `seq < before` (or the newest), newest first. */
export const historyUp = Type.Object({
  type: Type.Literal('history'),
  requestId: Type.String({ minLength: 1, maxLength: 64 }),
  channelId: Uuid,
  before: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  limit: Type.Integer({ minimum: 1, maximum: Limits.historyPage }),
});
export type HistoryUp = Static<typeof historyUp>;
