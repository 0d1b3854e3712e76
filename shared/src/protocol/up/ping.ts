import { Type, type Static } from 'typebox';

/** Keep-alive; answered with `pong`. */
export const pingUp = Type.Object({ type: Type.Literal('ping') });
export type PingUp = Static<typeof pingUp>;
