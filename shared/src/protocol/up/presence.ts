import { Type, type Static } from 'typebox';

/** The client says whether its user is active or idle on this connection. */
export const presenceUp = Type.Object({
  type: Type.Literal('presence'),
  status: Type.Union([Type.Literal('online'), Type.Literal('idle')]),
});
export type PresenceUp = Static<typeof presenceUp>;
