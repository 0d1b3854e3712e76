import { COMMUNITY_SCOPE } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import type { ChangeSet } from '../../write/change-set.ts';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { findChannel, toChannel } from '../channels/queries.ts';
import { findMember } from '../members/queries.ts';
import { Access } from '../permissions/access.ts';
import { loadAccess } from '../permissions/load.ts';
import { toRole, type RoleRow } from './queries.ts';

/** Appends role upserts to the community feed. */
export async function emitRoles(tx: Queryable, changes: ChangeSet, rows: RoleRow[]): Promise<void> {
  await changes.append(
    tx,
    COMMUNITY_SCOPE,
    rows.map((r) => ({
      op: 'upsert' as const,
      entity: 'role' as const,
      id: r.id,
      data: toRole(r),
    })),
  );
}

/** Appends the current row of each member (a tombstone for a banned or former one). */
export async function emitMembers(
  tx: Queryable,
  changes: ChangeSet,
  userIds: Iterable<string>,
): Promise<void> {
  for (const id of new Set(userIds)) {
    const member = await findMember(tx, id);
    const banned = await tx.query(
      'SELECT 1 FROM members WHERE user_id = $1 AND banned_at IS NOT NULL',
      [id],
    );
    await changes.append(tx, COMMUNITY_SCOPE, [
      member && banned.rows.length === 0
        ? { op: 'upsert', entity: 'member', id, data: member }
        : { op: 'delete', entity: 'member', id },
    ]);
  }
}

/** Appends the current row (with its overrides) of each live channel. */
export async function emitChannels(
  tx: Queryable,
  changes: ChangeSet,
  channelIds: Iterable<string>,
): Promise<void> {
  for (const id of new Set(channelIds)) {
    const row = await findChannel(tx, id);
    // A conversation's row never goes through the community (only its participants'
    // scopes): nobody's sight of one changes with roles or moderation.
    if (!row || row.deleted_at !== null || row.kind === 'dm') continue;
    await changes.append(tx, COMMUNITY_SCOPE, [
      { op: 'upsert', entity: 'channel', id, data: toChannel(row) },
    ]);
  }
}

/** The ack's scope and version: the community feed's last write, if any. */
export function communityResult(ctx: MutationContext): MutationResult {
  const version = ctx.changes.lastVersion(COMMUNITY_SCOPE);
  return version === undefined ? {} : { scope: COMMUNITY_SCOPE, version };
}

/**
 * After a write that may change who sees which channel: compares `before`
 * with the access data now, appends the row of every channel someone gained
 * or lost (those who gained it need the row; those who lost it get it
 * filtered out and a revoke), and marks the change set so every session
 * re-checks its channels after commit. Returns the channels that changed.
 */
export async function emitVisibility(
  tx: Queryable,
  changes: ChangeSet,
  before: Access,
  now: number,
): Promise<string[]> {
  const after = new Access(await loadAccess(tx));
  // Former members are closed out, not revoked channel by channel.
  const users = [...after.data.members.keys()].filter((id) => after.member(id));
  const channels = new Set([...before.data.channels.keys(), ...after.data.channels.keys()]);
  const changed: string[] = [];
  for (const channelId of channels) {
    for (const userId of users) {
      if (
        before.canSeeChannel(userId, channelId, now) !== after.canSeeChannel(userId, channelId, now)
      ) {
        changed.push(channelId);
        break;
      }
    }
  }
  const left = [...before.data.members.keys()].some((id) => before.member(id) && !after.member(id));
  if (changed.length > 0 || left) {
    changes.accessAll = true;
  }
  await emitChannels(tx, changes, changed);
  return changed;
}
