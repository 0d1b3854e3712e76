import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * The first frame on the sync socket. The token travels here, never in the URL.
 * `cursors` maps each scope the client holds to the last version it applied.
 */
export const authUp = Type.Object({
  type: Type.Literal('auth'),
  token: Type.String({ minLength: 1, maxLength: 4096 }),
  /** A stable id per device install; mutation sequence numbers are per clientId. */
  clientId: Uuid,
  protocolVersion: Type.Integer({ minimum: 0 }),
  cursors: Type.Record(Type.String({ maxLength: 64 }), Type.Integer({ minimum: 0 })),
});
export type AuthUp = Static<typeof authUp>;
