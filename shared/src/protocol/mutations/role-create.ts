import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { permissionBits, roleColor, roleName } from './role-common.ts';

/**
 * Create a role, lowest of all (just above `@everyone`). `id` is a UUIDv7 made
 * by the client. Needs manage roles; `permissions` must be bits the actor holds.
 */
export const roleCreateArgs = Type.Object(
  {
    id: Uuid,
    name: roleName,
    color: Type.Optional(roleColor),
    permissions: Type.Optional(permissionBits),
  },
  { additionalProperties: false },
);
export type RoleCreateArgs = Static<typeof roleCreateArgs>;
