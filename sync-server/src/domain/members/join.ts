import { COMMUNITY_SCOPE } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import type { ChangeSet } from '../../write/change-set.ts';
import { queueEvent } from '../webhooks/enqueue.ts';
import { findMember } from './queries.ts';

/**
 * Makes a user a member (once) and appends their `member` upsert to the
 * community feed, in the caller's transaction. Publish `changes` after commit.
 */
export async function addMember(tx: Queryable, userId: string, changes: ChangeSet): Promise<void> {
  const inserted = await tx.query(
    'INSERT INTO members (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING',
    [userId],
  );
  if (inserted.rowCount === 0) return;
  const member = await findMember(tx, userId);
  if (!member) throw new Error(`member ${userId} vanished inside its own transaction`);
  await changes.append(tx, COMMUNITY_SCOPE, [
    { op: 'upsert', entity: 'member', id: member.id, data: member },
  ]);
  await queueEvent(tx, 'member.joined', {
    member: {
      userId,
      username: member.username,
      displayName: member.displayName,
      joinedAt: member.joinedAt,
    },
  });
}
