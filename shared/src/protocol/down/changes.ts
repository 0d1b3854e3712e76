import { Type, type Static } from 'typebox';
import { changeSchema } from '../change.ts';

/**
 * Changes of one scope, in version order, with no gaps after `from`. The
 * client applies them only if `from` equals its cursor, then sets the cursor to
 * `to`; otherwise it reconnects to catch up.
 */
export const changesDown = Type.Object({
  type: Type.Literal('changes'),
  scope: Type.String(),
  from: Type.Integer({ minimum: 0 }),
  to: Type.Integer({ minimum: 0 }),
  changes: Type.Array(changeSchema),
});
export type ChangesDown = Static<typeof changesDown>;
