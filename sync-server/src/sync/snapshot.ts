import {
  COMMUNITY_INFO_ID,
  COMMUNITY_SCOPE,
  Limits,
  parseScope,
  type Change,
} from '@echora/shared';
import type { Queryable } from '../db/types.ts';
import { listChannels, listDmsOf } from '../domain/channels/queries.ts';
import { readCommunity } from '../domain/community/queries.ts';
import { listEmojis } from '../domain/emoji/store.ts';
import { listFormerMembers, listMembers } from '../domain/members/queries.ts';
import { messagePage } from '../domain/messages/queries.ts';
import { listReadStates } from '../domain/read-state/queries.ts';
import { listOwnVotes } from '../domain/polls/queries.ts';
import { listRoles } from '../domain/roles/queries.ts';
import { readUserSettings } from '../domain/settings/queries.ts';
import type { Access } from '../domain/permissions/access.ts';
import { accessVersions } from '../domain/permissions/load.ts';
import { iso } from '../db/timestamps.ts';
import { sharedRead } from './shared-reads.ts';
import { connectReads } from './connect-reads.ts';

/** Permissions at least as new as given versions (`AccessCache.atLeast`). */
export interface AccessSource {
  /**
   * Loaded at community `version` or later (and DM access counter
   * `dmVersion` or later), so it knows every channel the changes up to
   * `version` name: one it does not know is gone.
   */
  atLeast(version: number, dmVersion?: number): Promise<Access>;
}

export interface Snapshot {
  version: number;
  changes: Change[];
  hasMore: boolean;
}

/**
 * The state of a scope for a `reset`. The version is read before the rows, so
 * the rows are at least that new; changes after it replay as idempotent
 * upserts and tombstones. Every change carries the snapshot's version.
 *
 * Channels are judged by permissions at least as new as their rows: the
 * access versions are read after the rows (with them, once for every socket
 * that shares the read), and the cached permissions serve when they are that
 * new. So a row renamed after it was made private is never judged by the
 * older rule (and one deleted since is left out; its tombstone follows).
 */
export async function snapshot(
  db: Queryable,
  scope: string,
  access: AccessSource,
  userId: string,
): Promise<Snapshot> {
  const version = await connectReads(db).version(scope);
  if (scope === COMMUNITY_SCOPE) {
    // The same rows for everyone (each user's channels are picked below): read once per version.
    const { channels, members, formerMembers, roles, emojis, name, seen } = await sharedRead(
      db,
      scope,
      version,
      () => communityRows(db),
    );
    const judge = await access.atLeast(seen.version, seen.dmVersion);
    const changes: Change[] = [
      ...channels
        // Direct conversations come in their participants' own scopes.
        .filter((c) => c.kind !== 'dm' && judge.canSeeChannel(userId, c.id))
        .map((c): Change => ({ version, op: 'upsert', entity: 'channel', data: c })),
      ...members.map((m): Change => ({ version, op: 'upsert', entity: 'member', data: m })),
      ...formerMembers.map((f): Change => ({
        version,
        op: 'upsert',
        entity: 'formerMember',
        data: f,
      })),
      ...roles.map((r): Change => ({
        version,
        op: 'upsert',
        entity: 'role',
        data: r,
      })),
      ...emojis.map((e): Change => ({
        version,
        op: 'upsert',
        entity: 'emoji',
        data: e,
      })),
    ];
    changes.push({
      version,
      op: 'upsert',
      entity: 'community',
      data: { id: COMMUNITY_INFO_ID, name },
    });
    return { version, changes, hasMore: false };
  }
  const parsed = parseScope(scope);
  if (parsed?.kind === 'channel') {
    // A channel's reset is the same for everyone who may see it.
    return sharedRead(db, scope, version, async () => {
      const page = await messagePage(db, parsed.id, null, Limits.resetWindow);
      const changes = page.messages
        .reverse()
        .map((m): Change => ({ version, op: 'upsert', entity: 'message', data: m }));
      return { version, changes, hasMore: page.hasMore };
    });
  }
  if (parsed?.kind === 'user') {
    const { states, blocks, votes, settings, dms, seen } = await sharedRead(
      db,
      scope,
      version,
      () => userRows(db, parsed.id),
    );
    const changes = states.map((data): Change => ({
      version,
      op: 'upsert',
      entity: 'readState',
      data,
    }));
    for (const b of blocks) {
      changes.push({
        version,
        op: 'upsert',
        entity: 'block',
        data: { id: b.blocked_id, createdAt: iso(b.created_at) },
      });
    }
    for (const data of votes) {
      changes.push({ version, op: 'upsert', entity: 'pollVote', data });
    }
    if (settings) changes.push({ version, op: 'upsert', entity: 'userSettings', data: settings });
    // The user's conversations, judged (like the community's channels) after they were read.
    const judge = dms.length > 0 ? await access.atLeast(seen.version, seen.dmVersion) : undefined;
    for (const data of dms) {
      if (judge?.canSeeChannel(parsed.id, data.id))
        changes.push({ version, op: 'upsert', entity: 'channel', data });
    }
    return { version, changes, hasMore: false };
  }
  return { version, changes: [], hasMore: false };
}

/** The community scope's rows, before any user's channels are picked. */
async function communityRows(db: Queryable) {
  const [channels, members] = await Promise.all([listChannels(db), listMembers(db)]);
  const formerMembers = await listFormerMembers(db);
  const roles = await listRoles(db);
  const emojis = await listEmojis(db);
  const { name } = await readCommunity(db);
  // After the rows: permissions at least this new know every channel they hold.
  const seen = await accessVersions(db);
  return { channels, members, formerMembers, roles, emojis, name, seen };
}

/** A user scope's rows (its conversations are judged by the caller, after the read). */
async function userRows(db: Queryable, userId: string) {
  const states = await listReadStates(db, userId);
  const blocks = await db.query<{ blocked_id: string; created_at: Date | string }>(
    'SELECT blocked_id, created_at FROM user_blocks WHERE user_id = $1 ORDER BY blocked_id',
    [userId],
  );
  return {
    states,
    blocks: blocks.rows,
    votes: await listOwnVotes(db, userId),
    settings: await readUserSettings(db, userId),
    dms: await listDmsOf(db, userId),
    // After the rows: permissions at least this new know every conversation they hold.
    seen: await accessVersions(db),
  };
}
