import type { Community } from '@echora/shared/protocol/rest/community';
import type { Queryable } from '../../db/types.ts';

/** The community's settings (one row; the defaults before any change). */
export async function readCommunity(db: Queryable): Promise<Community> {
  const { rows } = await db.query<Community>(
    'SELECT name, registration, link_previews AS "linkPreviews" FROM community WHERE id = 1',
  );
  return rows[0] ?? { name: 'Echora', registration: 'open', linkPreviews: true };
}

/** Whether the community has link previews on (its managers' switch). */
export async function linkPreviewsOn(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ on: boolean }>(
    'SELECT link_previews AS on FROM community WHERE id = 1',
  );
  return rows[0]?.on ?? true;
}
