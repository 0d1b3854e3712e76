import { AppError, Permission, type MemberRolesArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { writeAudit } from '../audit/log.ts';
import {
  actorOf,
  lockedAccess,
  requireAbove,
  requireBitsHeld,
  requirePermission,
  requireRoleBelow,
} from '../permissions/guard.ts';
import { communityResult, emitMembers, emitVisibility } from './emit.ts';

/**
 * `member.roles`: sets the member's roles. Every role added or removed must be
 * below the actor's highest, and every role added must hold only permissions
 * the actor holds; the member is the actor or below them.
 */
export async function setMemberRoles(
  ctx: MutationContext,
  args: MemberRolesArgs,
): Promise<MutationResult> {
  const access = await lockedAccess(ctx.tx);
  const actor = actorOf(access, ctx.userId);
  const base = access.base(ctx.userId, ctx.now.getTime());
  requirePermission(base, Permission.manageRoles);
  const target = access.member(args.userId);
  if (!target) throw new AppError('not_found', 'No such member.');
  if (target.userId !== actor.userId) requireAbove(access, actor, target);
  const { roles, everyoneRoleId } = access.data.community;
  for (const id of args.roleIds) {
    if (id === everyoneRoleId) throw new AppError('invalid', 'roleIds: @everyone is implied');
    if (!roles.has(id)) throw new AppError('not_found', `roleIds: no such role ${id}`);
  }
  const current = new Set(target.roleIds.filter((id) => id !== everyoneRoleId));
  const wanted = new Set(args.roleIds);
  const added = [...wanted].filter((id) => !current.has(id));
  const removed = [...current].filter((id) => !wanted.has(id));
  for (const id of [...added, ...removed]) {
    const role = roles.get(id);
    if (role) requireRoleBelow(access, actor, role);
  }
  // Giving a role gives its permissions: only those the actor holds.
  for (const id of added) requireBitsHeld(base, roles.get(id)?.permissions ?? 0);
  if (added.length === 0 && removed.length === 0) return {};
  await ctx.tx.query('DELETE FROM member_roles WHERE user_id = $1 AND role_id = ANY($2::uuid[])', [
    args.userId,
    removed,
  ]);
  await ctx.tx.query(
    `INSERT INTO member_roles (user_id, role_id) SELECT $1, unnest($2::uuid[])
     ON CONFLICT DO NOTHING`,
    [args.userId, added],
  );
  await emitMembers(ctx.tx, ctx.changes, [args.userId]);
  await emitVisibility(ctx.tx, ctx.changes, access, ctx.now.getTime());
  await writeAudit(ctx.tx, {
    actorId: ctx.userId,
    action: 'member.roles',
    targetType: 'user',
    targetId: args.userId,
    data: { added, removed },
  });
  return communityResult(ctx);
}
