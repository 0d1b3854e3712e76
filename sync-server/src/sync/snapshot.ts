import { COMMUNITY_SCOPE, Limits, parseScope, type Change } from '@echora/shared';
import type { Queryable } from '../db/types.ts';
import { listChannels } from '../domain/channels/queries.ts';
import { listEmojis } from '../domain/emoji/store.ts';
import { listMembers } from '../domain/members/queries.ts';
import { messagePage } from '../domain/messages/queries.ts';
import { listReadStates } from '../domain/read-state/queries.ts';
import { listRoles } from '../domain/roles/queries.ts';
import type { Access } from '../domain/permissions/access.ts';
import { scopeVersion } from './feed.ts';

export interface Snapshot {
  version: number;
  changes: Change[];
  hasMore: boolean;
}

/**
 * The state of a scope for a `reset`. The version is read before the rows, so
 * the rows are at least that new; changes after it replay as idempotent
 * upserts and tombstones. Every change carries the snapshot's version.
 */
export async function snapshot(
  db: Queryable,
  scope: string,
  access: Access,
  userId: string,
): Promise<Snapshot> {
  const version = await scopeVersion(db, scope);
  if (scope === COMMUNITY_SCOPE) {
    const [channels, members] = await Promise.all([listChannels(db), listMembers(db)]);
    const changes: Change[] = [
      ...channels
        .filter((c) => access.canSeeChannel(userId, c.id))
        .map((c): Change => ({ version, op: 'upsert', entity: 'channel', data: c })),
      ...members.map((m): Change => ({ version, op: 'upsert', entity: 'member', data: m })),
      ...(await listRoles(db)).map((r): Change => ({
        version,
        op: 'upsert',
        entity: 'role',
        data: r,
      })),
      ...(await listEmojis(db)).map((e): Change => ({
        version,
        op: 'upsert',
        entity: 'emoji',
        data: e,
      })),
    ];
    return { version, changes, hasMore: false };
  }
  const parsed = parseScope(scope);
  if (parsed?.kind === 'channel') {
    const page = await messagePage(db, parsed.id, null, Limits.resetWindow);
    const changes = page.messages
      .reverse()
      .map((m): Change => ({ version, op: 'upsert', entity: 'message', data: m }));
    return { version, changes, hasMore: page.hasMore };
  }
  if (parsed?.kind === 'user') {
    const states = await listReadStates(db, parsed.id);
    const changes = states.map((data): Change => ({
      version,
      op: 'upsert',
      entity: 'readState',
      data,
    }));
    return { version, changes, hasMore: false };
  }
  return { version, changes: [], hasMore: false };
}
