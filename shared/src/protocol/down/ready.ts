import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Authentication succeeded; catch-up frames follow, then `synced`. */
export const readyDown = Type.Object({
  type: Type.Literal('ready'),
  userId: Uuid,
  protocolVersion: Type.Integer(),
  serverTime: Type.String(),
  /** The next mutation seq the server expects from this clientId (last applied + 1). */
  nextSeq: Type.Integer({ minimum: 1 }),
});
export type ReadyDown = Static<typeof readyDown>;
