import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * Add (`on: true`) or remove your reaction to a message. Setting the state it
 * already has is a no-op, so a resend never flips it back. `emoji` is a unicode
 * emoji or `:name:` of a custom emoji (see `isReactionEmoji`). Needs add reactions.
 */
export const reactionToggleArgs = Type.Object(
  { messageId: Uuid, emoji: Type.String({ minLength: 1, maxLength: 64 }), on: Type.Boolean() },
  { additionalProperties: false },
);
export type ReactionToggleArgs = Static<typeof reactionToggleArgs>;
