import { Type, type Static } from 'typebox';

/** The user lost access to a scope: purge its local data and forget its cursor. */
export const revokeDown = Type.Object({ type: Type.Literal('revoke'), scope: Type.String() });
export type RevokeDown = Static<typeof revokeDown>;
