import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * The order of every role but `@everyone`, most senior first. Roles at or
 * above the actor's highest must keep their places. Needs manage roles.
 */
export const roleReorderArgs = Type.Object(
  { ids: Type.Array(Uuid, { maxItems: 250, uniqueItems: true }) },
  { additionalProperties: false },
);
export type RoleReorderArgs = Static<typeof roleReorderArgs>;
