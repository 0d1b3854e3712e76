import {
  AppError,
  Permission,
  type RoleCreateArgs,
  type RoleDeleteArgs,
  type RoleReorderArgs,
  type RoleUpdateArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { writeAudit } from '../audit/log.ts';
import {
  actorOf,
  lockedAccess,
  requireBitsHeld,
  requirePermission,
  requireRoleBelow,
} from '../permissions/guard.ts';
import { communityResult, emitChannels, emitMembers, emitRoles, emitVisibility } from './emit.ts';
import { findRole, ROLE_COLUMNS, type RoleRow } from './queries.ts';

/** Trimmed names only: the schema already refused control characters and lengths. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('invalid', 'name: must not be blank');
  return trimmed;
}

/** The actor, their community permissions, and a check that they may manage roles. */
async function manager(ctx: MutationContext) {
  const access = await lockedAccess(ctx.tx);
  const actor = actorOf(access, ctx.userId);
  const base = access.base(ctx.userId, ctx.now.getTime());
  requirePermission(base, Permission.manageRoles);
  return { access, actor, base };
}

async function existingRole(ctx: MutationContext, id: string): Promise<RoleRow> {
  const row = await findRole(ctx.tx, id);
  if (!row) throw new AppError('not_found', 'No such role.');
  return row;
}

/** `role.create`: the lowest role (position 1); every other role moves up one. */
export async function createRole(
  ctx: MutationContext,
  args: RoleCreateArgs,
): Promise<MutationResult> {
  const { base } = await manager(ctx);
  const permissions = args.permissions ?? 0;
  requireBitsHeld(base, permissions);
  const name = cleanName(args.name);
  if (await findRole(ctx.tx, args.id)) {
    throw new AppError('conflict', 'A role with this id already exists.');
  }
  const moved = await ctx.tx.query<RoleRow>(
    `UPDATE roles SET position = position + 1 WHERE NOT is_everyone RETURNING ${ROLE_COLUMNS}`,
  );
  const created = await ctx.tx.query<RoleRow>(
    `INSERT INTO roles (id, name, color, position, permissions) VALUES ($1, $2, $3, 1, $4)
     RETURNING ${ROLE_COLUMNS}`,
    [args.id, name, args.color ?? 0, permissions],
  );
  await emitRoles(ctx.tx, ctx.changes, [...created.rows, ...moved.rows]);
  await writeAudit(ctx.tx, {
    actorId: ctx.userId,
    action: 'role.create',
    targetType: 'role',
    targetId: args.id,
    data: { name, color: args.color ?? 0, permissions },
  });
  return communityResult(ctx);
}

/** `role.update`: name, colour, permissions of a role below the actor's highest. */
export async function updateRole(
  ctx: MutationContext,
  args: RoleUpdateArgs,
): Promise<MutationResult> {
  const { access, actor, base } = await manager(ctx);
  const role = await existingRole(ctx, args.id);
  requireRoleBelow(access, actor, role);
  const permissions = args.permissions ?? role.permissions;
  requireBitsHeld(base, permissions ^ role.permissions);
  const name = args.name === undefined ? role.name : cleanName(args.name);
  if (role.is_everyone && name !== role.name) {
    throw new AppError('invalid', 'name: @everyone cannot be renamed');
  }
  const { rows } = await ctx.tx.query<RoleRow>(
    `UPDATE roles SET name = $2, color = $3, permissions = $4 WHERE id = $1 RETURNING ${ROLE_COLUMNS}`,
    [args.id, name, args.color ?? role.color, permissions],
  );
  await emitRoles(ctx.tx, ctx.changes, rows);
  if (permissions !== role.permissions) {
    await emitVisibility(ctx.tx, ctx.changes, access, ctx.now.getTime());
  }
  await writeAudit(ctx.tx, {
    actorId: ctx.userId,
    action: 'role.update',
    targetType: 'role',
    targetId: args.id,
    data: {
      ...(args.name !== undefined ? { name } : {}),
      ...(args.color !== undefined ? { color: args.color } : {}),
      ...(args.permissions !== undefined
        ? { permissions: { from: role.permissions, to: permissions } }
        : {}),
    },
  });
  return communityResult(ctx);
}

/** `role.delete`: gone from every member and override; the roles above it move down one. */
export async function deleteRole(
  ctx: MutationContext,
  args: RoleDeleteArgs,
): Promise<MutationResult> {
  const { access, actor } = await manager(ctx);
  const role = await existingRole(ctx, args.id);
  if (role.is_everyone) throw new AppError('invalid', 'id: @everyone cannot be deleted');
  requireRoleBelow(access, actor, role);
  const holders = await ctx.tx.query<{ user_id: string }>(
    'SELECT user_id FROM member_roles WHERE role_id = $1',
    [args.id],
  );
  const channels = await ctx.tx.query<{ channel_id: string }>(
    "DELETE FROM channel_overrides WHERE target_type = 'role' AND target_id = $1 RETURNING channel_id",
    [args.id],
  );
  await ctx.tx.query('DELETE FROM roles WHERE id = $1', [args.id]);
  const moved = await ctx.tx.query<RoleRow>(
    `UPDATE roles SET position = position - 1 WHERE NOT is_everyone AND position > $1
     RETURNING ${ROLE_COLUMNS}`,
    [role.position],
  );
  await ctx.changes.append(ctx.tx, 'community', [{ op: 'delete', entity: 'role', id: args.id }]);
  await emitRoles(ctx.tx, ctx.changes, moved.rows);
  await emitMembers(
    ctx.tx,
    ctx.changes,
    holders.rows.map((r) => r.user_id),
  );
  await emitChannels(
    ctx.tx,
    ctx.changes,
    channels.rows.map((r) => r.channel_id),
  );
  await emitVisibility(ctx.tx, ctx.changes, access, ctx.now.getTime());
  await writeAudit(ctx.tx, {
    actorId: ctx.userId,
    action: 'role.delete',
    targetType: 'role',
    targetId: args.id,
    data: { name: role.name },
  });
  return communityResult(ctx);
}

/** Positions after a reorder: `ids` is most senior first, so the first gets the highest. */
function newPositions(rows: RoleRow[], ids: string[]): Map<string, number> {
  const known = new Set(rows.map((r) => r.id));
  if (ids.length !== rows.length || ids.some((id) => !known.has(id))) {
    throw new AppError('invalid', 'ids: list every role except @everyone, each once');
  }
  return new Map(ids.map((id, i) => [id, ids.length - i]));
}

/** `role.reorder`: roles at or above the actor's highest keep their places. */
export async function reorderRoles(
  ctx: MutationContext,
  args: RoleReorderArgs,
): Promise<MutationResult> {
  const { access, actor } = await manager(ctx);
  const { rows } = await ctx.tx.query<RoleRow>(
    `SELECT ${ROLE_COLUMNS} FROM roles WHERE NOT is_everyone ORDER BY position`,
  );
  const positions = newPositions(rows, args.ids);
  const moved = rows.filter((r) => positions.get(r.id) !== r.position);
  for (const r of moved) {
    requireRoleBelow(access, actor, r);
    requireRoleBelow(access, actor, { ...r, position: positions.get(r.id) ?? r.position });
  }
  if (moved.length === 0) return {};
  const updated = await ctx.tx.query<RoleRow>(
    `UPDATE roles SET position = t.position
     FROM unnest($1::uuid[], $2::int[]) AS t(id, position) WHERE roles.id = t.id
     RETURNING roles.id, roles.name, roles.color, roles.position, roles.permissions, roles.is_everyone`,
    [moved.map((r) => r.id), moved.map((r) => positions.get(r.id))],
  );
  await emitRoles(ctx.tx, ctx.changes, updated.rows);
  await writeAudit(ctx.tx, {
    actorId: ctx.userId,
    action: 'role.reorder',
    targetType: 'role',
    data: { ids: args.ids },
  });
  return communityResult(ctx);
}
