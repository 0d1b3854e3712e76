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
import { scopeVersion } from '../write/feed.ts';
import { iso } from '../db/timestamps.ts';
import { sharedRead } from './shared-reads.ts';

/** Permissions read after the call (`AccessCache.reload`). */
export interface FreshAccess {
  reload(): Promise<Access>;
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
 * Channels are judged by permissions loaded after their rows were read, so a
 * row renamed after it was made private is never judged by the older rule
 * (and one deleted since is left out; its tombstone follows).
 */
export async function snapshot(
  db: Queryable,
  scope: string,
  access: FreshAccess,
  userId: string,
): Promise<Snapshot> {
  const version = await scopeVersion(db, scope);
  if (scope === COMMUNITY_SCOPE) {
    // The same rows for everyone (each user's channels are picked below): read once per version.
    const { channels, members, formerMembers, roles, emojis, name } = await sharedRead(
      db,
      scope,
      version,
      () => communityRows(db),
    );
    const judge = await access.reload();
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
    const { states, blocks, votes, settings, dms } = await sharedRead(db, scope, version, () =>
      userRows(db, parsed.id),
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
    const judge = dms.length > 0 ? await access.reload() : undefined;
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
  return {
    channels,
    members,
    formerMembers: await listFormerMembers(db),
    roles: await listRoles(db),
    emojis: await listEmojis(db),
    name: (await readCommunity(db)).name,
  };
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
  };
}
