import { Type, type Static } from 'typebox';
import { changeSchema } from '../change.ts';

/**
 * Replace everything the client holds for a scope with this snapshot (upserts
 * only) and set its cursor to `version`. Sent when the cursor is too old or the
 * client sees the scope for the first time. For a channel the snapshot is its
 * recent window; older messages load through `history`.
 */
export const resetDown = Type.Object({
  type: Type.Literal('reset'),
  scope: Type.String(),
  version: Type.Integer({ minimum: 0 }),
  changes: Type.Array(changeSchema),
  /** For a channel: whether messages older than the window exist. */
  hasMore: Type.Boolean(),
});
export type ResetDown = Static<typeof resetDown>;
