import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Delete a message: its author, or someone with manage messages. */
export const messageDeleteArgs = Type.Object({ id: Uuid }, { additionalProperties: false });
export type MessageDeleteArgs = Static<typeof messageDeleteArgs>;
