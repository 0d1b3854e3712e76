import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Pin or unpin a message (idempotent). Needs manage messages in its channel. */
export const messagePinArgs = Type.Object(
  { id: Uuid, pinned: Type.Boolean() },
  { additionalProperties: false },
);
export type MessagePinArgs = Static<typeof messagePinArgs>;
