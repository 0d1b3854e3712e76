import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * Block or unblock a user (idempotent). A blocked user cannot start a
 * conversation with the blocker, and a 1:1 conversation between them turns
 * read-only for both; clients collapse the blocked user's messages.
 */
export const userBlockArgs = Type.Object(
  { userId: Uuid, blocked: Type.Boolean() },
  { additionalProperties: false },
);
export type UserBlockArgs = Static<typeof userBlockArgs>;
