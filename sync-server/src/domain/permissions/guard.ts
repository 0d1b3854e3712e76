import {
  ALL_PERMISSIONS,
  AppError,
  canActOn,
  canManageRole,
  has,
  Permission,
  type MemberInfo,
  type PermissionName,
  type RoleInfo,
} from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { Access } from './access.ts';
import { loadAccess } from './load.ts';

const NAMES = Object.fromEntries(
  Object.entries(Permission).map(([name, bit]) => [
    bit,
    name.replace(/[A-Z]/g, (c) => ' ' + c.toLowerCase()),
  ]),
) as Record<number, string>;

/**
 * Serializes every write that reads or changes permissions (roles, member
 * roles, overrides, moderation): they lock the `@everyone` row first, then
 * read the access data fresh inside the same transaction.
 */
export async function lockedAccess(tx: Queryable): Promise<Access> {
  await tx.query('SELECT id FROM roles WHERE is_everyone FOR UPDATE');
  return new Access(await loadAccess(tx, true));
}

/** The acting member; a non-member (kicked, banned) may do nothing. */
export function actorOf(access: Access, userId: string): MemberInfo {
  const member = access.member(userId);
  if (!member) throw new AppError('forbidden', 'You are not a member of this community.');
  return member;
}

/** A target as hierarchy checks see them: a former member counts as having no roles. */
export function targetOf(access: Access, userId: string): MemberInfo {
  return (
    access.data.members.get(userId) ?? { userId, roleIds: [], isOwner: false, timedOutUntil: null }
  );
}

/** Throws `forbidden` unless `perms` hold `bit`. */
export function requirePermission(perms: number, bit: number): void {
  if (!has(perms, bit)) {
    throw new AppError('forbidden', `You need the ${NAMES[bit] ?? 'required'} permission.`);
  }
}

/** Throws `forbidden` unless `actor` is strictly above `target`. */
export function requireAbove(access: Access, actor: MemberInfo, target: MemberInfo): void {
  if (!canActOn(actor, target, access.data.community)) {
    throw new AppError('forbidden', 'You can only act on members below your highest role.');
  }
}

/** Throws `forbidden` unless `role` is strictly below the actor's highest. */
export function requireRoleBelow(access: Access, actor: MemberInfo, role: RoleInfo): void {
  if (!canManageRole(actor, role, access.data.community)) {
    throw new AppError('forbidden', 'You can only manage roles below your highest role.');
  }
}

/** Throws `invalid` for bits that are no permission, `forbidden` for bits the actor lacks. */
export function requireBitsHeld(held: number, bits: number, field = 'permissions'): void {
  if ((bits & ~ALL_PERMISSIONS) !== 0) {
    throw new AppError('invalid', `${field}: unknown permission bits`);
  }
  const missing = bits & ~held;
  if (missing !== 0) {
    const names = (Object.keys(Permission) as PermissionName[]).filter((n) =>
      has(missing, Permission[n]),
    );
    throw new AppError('forbidden', `You cannot grant permissions you lack: ${names.join(', ')}.`);
  }
}
