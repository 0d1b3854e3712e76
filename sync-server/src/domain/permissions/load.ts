import type { ChannelOverride, CommunityRoles, MemberInfo, RoleInfo } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { DM_ACCESS_COUNTER } from '../../write/feed.ts';

/** A member as permission checks need them. */
export interface AccessMember extends MemberInfo {
  isBanned: boolean;
}

/** Everything permission checks read, loaded at one community version. */
export interface AccessData {
  /** The community scope version this was loaded at (read first, so data is at least this new). */
  version: number;
  /** The DM access counter's version it was loaded at (`DM_ACCESS_COUNTER`, read first too). */
  dmVersion: number;
  community: CommunityRoles;
  members: Map<string, AccessMember>;
  /** Live (not deleted) channels; a thread names its parent, whose permissions it follows. */
  channels: Map<string, { kind: 'text' | 'voice' | 'thread' | 'dm'; parentId?: string | null }>;
  overrides: Map<string, ChannelOverride[]>;
  /** Participants of each live direct conversation (a `dm` channel). */
  dms: Map<string, { participants: Set<string>; isGroup: boolean }>;
  /** `blocker:blocked` pairs. */
  blocks: Set<string>;
}

/** The versions access data depends on: the community scope's and the DM access counter's. */
export interface AccessVersions {
  version: number;
  dmVersion: number;
}

/**
 * Reads the community scope's version and the DM access counter. Read after
 * some rows, access loaded at these versions or later is at least as new as
 * those rows (a write bumps its version in the transaction that writes them).
 */
export async function accessVersions(db: Queryable): Promise<AccessVersions> {
  const { rows } = await db.query<{ scope: string; version: number }>(
    "SELECT scope, version FROM scopes WHERE scope IN ('community', $1)",
    [DM_ACCESS_COUNTER],
  );
  const counter = (scope: string) => Number(rows.find((r) => r.scope === scope)?.version ?? 0);
  return { version: counter('community'), dmVersion: counter(DM_ACCESS_COUNTER) };
}

/**
 * Reads roles, members, channels and overrides in one go: side by side on a
 * pool; one after another (`serial`) on a transaction's single connection,
 * where node-postgres would queue them anyway and warns that it will refuse
 * overlapping queries.
 */
export async function loadAccess(db: Queryable, serial = false): Promise<AccessData> {
  const { version, dmVersion } = await accessVersions(db);
  const [roles, members, memberRoles, channels, overrides, community, dms, blocks] = await readAll(
    serial,
    [
      () =>
        db.query<{ id: string; position: number; permissions: number; is_everyone: boolean }>(
          'SELECT id, position, permissions, is_everyone FROM roles',
        ),
      () =>
        db.query<{ user_id: string; timed_out_until: Date | null; banned_at: Date | null }>(
          'SELECT user_id, timed_out_until, banned_at FROM members',
        ),
      () =>
        db.query<{ user_id: string; role_id: string }>('SELECT user_id, role_id FROM member_roles'),
      () =>
        db.query<{
          id: string;
          kind: 'text' | 'voice' | 'thread' | 'dm';
          parent_id: string | null;
        }>('SELECT id, kind, parent_id FROM channels WHERE deleted_at IS NULL'),
      () =>
        db.query<{
          channel_id: string;
          target_type: 'role' | 'member';
          target_id: string;
          allow: number;
          deny: number;
        }>('SELECT channel_id, target_type, target_id, allow, deny FROM channel_overrides'),
      () => db.query<{ owner_id: string | null }>('SELECT owner_id FROM community WHERE id = 1'),
      () =>
        db.query<{ channel_id: string; user_id: string; dm_group: boolean }>(
          `SELECT p.channel_id, p.user_id, c.dm_group FROM dm_participants p
       JOIN channels c ON c.id = p.channel_id WHERE c.deleted_at IS NULL`,
        ),
      () =>
        db.query<{ user_id: string; blocked_id: string }>(
          'SELECT user_id, blocked_id FROM user_blocks',
        ),
    ],
  );
  const ownerId = community.rows[0]?.owner_id ?? null;
  const roleMap = new Map<string, RoleInfo>();
  let everyoneRoleId = '';
  for (const r of roles.rows) {
    roleMap.set(r.id, { id: r.id, position: r.position, permissions: r.permissions });
    if (r.is_everyone) everyoneRoleId = r.id;
  }
  const rolesOf = new Map<string, string[]>();
  for (const mr of memberRoles.rows) {
    rolesOf.set(mr.user_id, [...(rolesOf.get(mr.user_id) ?? []), mr.role_id]);
  }
  const memberMap = new Map<string, AccessMember>();
  for (const m of members.rows) {
    memberMap.set(m.user_id, {
      userId: m.user_id,
      roleIds: [everyoneRoleId, ...(rolesOf.get(m.user_id) ?? [])],
      isOwner: m.user_id === ownerId,
      timedOutUntil: m.timed_out_until ? new Date(m.timed_out_until).getTime() : null,
      isBanned: m.banned_at !== null,
    });
  }
  const overrideMap = new Map<string, ChannelOverride[]>();
  for (const o of overrides.rows) {
    const list = overrideMap.get(o.channel_id) ?? [];
    list.push({ targetType: o.target_type, targetId: o.target_id, allow: o.allow, deny: o.deny });
    overrideMap.set(o.channel_id, list);
  }
  const dmMap = new Map<string, { participants: Set<string>; isGroup: boolean }>();
  for (const p of dms.rows) {
    const dm = dmMap.get(p.channel_id) ?? { participants: new Set(), isGroup: p.dm_group };
    dm.participants.add(p.user_id);
    dmMap.set(p.channel_id, dm);
  }
  return {
    version,
    dmVersion,
    community: { everyoneRoleId, roles: roleMap },
    members: memberMap,
    channels: new Map(
      channels.rows.map((c) => [c.id, { kind: c.kind, parentId: c.parent_id ?? null }]),
    ),
    overrides: overrideMap,
    dms: dmMap,
    blocks: new Set(blocks.rows.map((b) => `${b.user_id}:${b.blocked_id}`)),
  };
}

type Reads<T extends readonly unknown[]> = { [K in keyof T]: () => Promise<T[K]> };

async function readAll<T extends readonly unknown[]>(serial: boolean, reads: Reads<T>): Promise<T> {
  if (!serial) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
}
