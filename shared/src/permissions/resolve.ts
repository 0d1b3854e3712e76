import { ALL_PERMISSIONS, Permission, TIMEOUT_DENIED, has } from './bits.ts';

export interface RoleInfo {
  id: string;
  /** Higher is more senior. `@everyone` is 0. */
  position: number;
  permissions: number;
}

export interface ChannelOverride {
  targetType: 'role' | 'member';
  targetId: string;
  allow: number;
  deny: number;
}

export interface MemberInfo {
  userId: string;
  roleIds: readonly string[];
  isOwner: boolean;
  /** Epoch ms until which the member is timed out, or null. */
  timedOutUntil: number | null;
}

export interface CommunityRoles {
  everyoneRoleId: string;
  roles: ReadonlyMap<string, RoleInfo>;
}

function memberRoles(member: MemberInfo, community: CommunityRoles): RoleInfo[] {
  const out: RoleInfo[] = [];
  for (const id of member.roleIds) {
    const role = community.roles.get(id);
    if (role && id !== community.everyoneRoleId) out.push(role);
  }
  return out;
}

const isTimedOut = (member: MemberInfo, now: number): boolean =>
  member.timedOutUntil !== null && member.timedOutUntil > now;

/** Community-wide permissions: `@everyone` plus every role; administrator and owner get all. */
export function basePermissions(
  member: MemberInfo,
  community: CommunityRoles,
  now: number,
): number {
  if (member.isOwner) return ALL_PERMISSIONS;
  let perms = community.roles.get(community.everyoneRoleId)?.permissions ?? 0;
  for (const role of memberRoles(member, community)) perms |= role.permissions;
  if (has(perms, Permission.administrator)) return ALL_PERMISSIONS;
  if (isTimedOut(member, now)) perms &= ~TIMEOUT_DENIED;
  return perms;
}

/**
 * Permissions in one channel, resolved in Discord's order: base, then the
 * `@everyone` override, then all role overrides together (deny, then allow),
 * then the member's own override. Owner and administrator bypass overrides; a
 * timeout is applied last so no override can lift it.
 */
export function channelPermissions(
  member: MemberInfo,
  community: CommunityRoles,
  overrides: readonly ChannelOverride[],
  now: number,
): number {
  if (member.isOwner) return ALL_PERMISSIONS;
  const base = basePermissions(member, community, now);
  if (has(base, Permission.administrator)) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overrides.find(
    (o) => o.targetType === 'role' && o.targetId === community.everyoneRoleId,
  );
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const roleIds = new Set(member.roleIds);
  let allow = 0;
  let deny = 0;
  for (const o of overrides) {
    if (
      o.targetType === 'role' &&
      o.targetId !== community.everyoneRoleId &&
      roleIds.has(o.targetId)
    ) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overrides.find((o) => o.targetType === 'member' && o.targetId === member.userId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  if (isTimedOut(member, now)) perms &= ~TIMEOUT_DENIED;
  // Without view, no other channel permission means anything.
  if (!has(perms, Permission.viewChannel)) return 0;
  return perms;
}

/** The position of the member's most senior role (0 when only `@everyone`). */
export function highestPosition(member: MemberInfo, community: CommunityRoles): number {
  if (member.isOwner) return Number.POSITIVE_INFINITY;
  return memberRoles(member, community).reduce((max, r) => Math.max(max, r.position), 0);
}

/** May `actor` act on `target` (kick, ban, timeout, assign roles)? Only on those strictly below. */
export function canActOn(
  actor: MemberInfo,
  target: MemberInfo,
  community: CommunityRoles,
): boolean {
  if (target.isOwner || actor.userId === target.userId) return false;
  return highestPosition(actor, community) > highestPosition(target, community);
}

/** May `actor` edit or assign `role`? Only roles strictly below their highest. */
export function canManageRole(
  actor: MemberInfo,
  role: RoleInfo,
  community: CommunityRoles,
): boolean {
  return highestPosition(actor, community) > role.position;
}
