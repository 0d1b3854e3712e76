import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * Set a member's roles (the whole set, `@everyone` implied). Needs manage
 * roles; every role added or removed must be below the actor's highest, and
 * the member the actor themself or below them.
 */
export const memberRolesArgs = Type.Object(
  { userId: Uuid, roleIds: Type.Array(Uuid, { maxItems: 250, uniqueItems: true }) },
  { additionalProperties: false },
);
export type MemberRolesArgs = Static<typeof memberRolesArgs>;
