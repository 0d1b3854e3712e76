import type { Role } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

export interface RoleRow extends Record<string, unknown> {
  id: string;
  name: string;
  color: number;
  position: number;
  permissions: number;
  is_everyone: boolean;
}

export const ROLE_COLUMNS = 'id, name, color, position, permissions, is_everyone';

export function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    position: row.position,
    permissions: row.permissions,
    isEveryone: row.is_everyone,
  };
}

/** Every role, `@everyone` first, then by position. */
export async function listRoles(db: Queryable): Promise<Role[]> {
  const { rows } = await db.query<RoleRow>(
    `SELECT ${ROLE_COLUMNS} FROM roles ORDER BY position, id`,
  );
  return rows.map(toRole);
}

export async function findRole(db: Queryable, id: string): Promise<RoleRow | undefined> {
  const { rows } = await db.query<RoleRow>(`SELECT ${ROLE_COLUMNS} FROM roles WHERE id = $1`, [id]);
  return rows[0];
}
