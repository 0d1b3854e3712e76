import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Delete a role below the actor's highest (never `@everyone`). Needs manage roles. */
export const roleDeleteArgs = Type.Object({ id: Uuid }, { additionalProperties: false });
export type RoleDeleteArgs = Static<typeof roleDeleteArgs>;
