import type { Channel, Override } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../db/timestamps.ts';

export interface ChannelRow extends Record<string, unknown> {
  id: string;
  kind: Channel['kind'];
  name: string;
  topic: string;
  position: number;
  created_at: Date | string;
  deleted_at: Date | string | null;
  /** Present when the query selects them (threads; overrides as a JSON array). */
  parent_id?: string | null;
  parent_message_id?: string | null;
  overrides?: Override[] | null;
  dm_owner_id?: string | null;
  dm_group?: boolean;
  /** A `dm` channel's participants, oldest first. */
  participants?: string[] | null;
}

/** A channel's overrides as a JSON array, so every channel upsert carries them. */
const OVERRIDES_COLUMN = `coalesce((SELECT json_agg(json_build_object('targetType', o.target_type,
  'targetId', o.target_id, 'allow', o.allow, 'deny', o.deny) ORDER BY o.target_type, o.target_id)
  FROM channel_overrides o WHERE o.channel_id = channels.id), '[]'::json) AS overrides`;

/** A direct conversation's participants, oldest first (null for other channels). */
const PARTICIPANTS_COLUMN = `(SELECT json_agg(p.user_id ORDER BY p.added_at, p.user_id)
  FROM dm_participants p WHERE p.channel_id = channels.id) AS participants`;

export const CHANNEL_COLUMNS = `id, kind, name, topic, position, created_at, deleted_at, parent_id, parent_message_id, dm_owner_id, dm_group, ${OVERRIDES_COLUMN}, ${PARTICIPANTS_COLUMN}`;

/** A channel row as clients see it. */
export function toChannel(row: ChannelRow): Channel {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    topic: row.topic,
    position: row.position,
    createdAt: iso(row.created_at),
    parentId: row.parent_id ?? null,
    parentMessageId: row.parent_message_id ?? null,
    overrides: row.overrides ?? [],
    ...(row.kind === 'dm'
      ? {
          dm: {
            participants: row.participants ?? [],
            ownerId: row.dm_owner_id ?? null,
            isGroup: row.dm_group ?? false,
          },
        }
      : {}),
  };
}

/** Live channels in display order. */
export async function listChannels(db: Queryable): Promise<Channel[]> {
  const { rows } = await db.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE deleted_at IS NULL ORDER BY position, id`,
  );
  return rows.map(toChannel);
}

/** The live direct conversations `userId` takes part in, by id. */
export async function listDmsOf(db: Queryable, userId: string): Promise<Channel[]> {
  const { rows } = await db.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels
     WHERE kind = 'dm' AND deleted_at IS NULL
       AND id IN (SELECT channel_id FROM dm_participants WHERE user_id = $1)
     ORDER BY id`,
    [userId],
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
