import type { Channel } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../sync/values.ts';

export interface ChannelRow extends Record<string, unknown> {
  id: string;
  kind: 'text' | 'voice';
  name: string;
  topic: string;
  position: number;
  created_at: Date | string;
  deleted_at: Date | string | null;
}

export const CHANNEL_COLUMNS = 'id, kind, name, topic, position, created_at, deleted_at';

/** A channel row as clients see it. */
export function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    topic: row.topic,
    position: row.position,
    createdAt: iso(row.created_at),
  };
}

/** Live channels in display order. */
export async function listChannels(db: Queryable): Promise<Channel[]> {
  const { rows } = await db.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE deleted_at IS NULL ORDER BY position, id`,
  );
  return rows.map(toChannel);
}

/** A channel by id, deleted or not; `forUpdate` locks the row until the transaction ends. */
export async function findChannel(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<ChannelRow | undefined> {
  const { rows } = await db.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}
