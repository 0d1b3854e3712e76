import { Type, type Static } from 'typebox';

export const pongDown = Type.Object({ type: Type.Literal('pong') });
export type PongDown = Static<typeof pongDown>;
