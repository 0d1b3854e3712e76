import type { Removal } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { readCommunity } from '../community/queries.ts';

/**
 * Why `userId` is no longer a member: banned (a ban row), else removed (no
 * member row: kicked, or unbanned and not back yet). Undefined for a member.
 */
export async function removalOf(db: Queryable, userId: string): Promise<Removal | undefined> {
  const { rows } = await db.query<{ banned: boolean }>(
    'SELECT banned_at IS NOT NULL AS banned FROM members WHERE user_id = $1',
    [userId],
  );
  const row = rows[0];
  if (row && !row.banned) return undefined;
  const { name } = await readCommunity(db);
  return { reason: row?.banned ? 'ban' : 'kick', community: name };
}
