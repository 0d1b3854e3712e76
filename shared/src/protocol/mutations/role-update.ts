import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { permissionBits, roleColor, roleName } from './role-common.ts';

/**
 * Rename, recolour or change the permissions of a role below the actor's
 * highest. Needs manage roles; changed bits must be bits the actor holds.
 */
export const roleUpdateArgs = Type.Object(
  {
    id: Uuid,
    name: Type.Optional(roleName),
    color: Type.Optional(roleColor),
    permissions: Type.Optional(permissionBits),
  },
  { additionalProperties: false },
);
export type RoleUpdateArgs = Static<typeof roleUpdateArgs>;
