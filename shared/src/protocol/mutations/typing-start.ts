import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Say the user is typing in a channel. Ephemeral: travels the bus, never the feed. */
export const typingStartArgs = Type.Object({ channelId: Uuid }, { additionalProperties: false });
export type TypingStartArgs = Static<typeof typingStartArgs>;
