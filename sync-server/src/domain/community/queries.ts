import type { Community } from '@echora/shared/protocol/rest/community';
import type { Queryable } from '../../db/types.ts';

/** The community's name and registration mode (one row; the defaults before any change). */
export async function readCommunity(db: Queryable): Promise<Community> {
  const { rows } = await db.query<Community>(
    'SELECT name, registration FROM community WHERE id = 1',
  );
  return rows[0] ?? { name: 'Echora', registration: 'open' };
}
