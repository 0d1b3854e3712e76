import type { ReadState } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

export interface ReadStateRow extends Record<string, unknown> {
  channel_id: string;
  last_read_seq: number | string;
  muted: boolean;
}

export const READ_STATE_COLUMNS = 'channel_id, last_read_seq, muted';

/** A read state as the user's devices see it (`id` is the channel's id). */
export function toReadState(row: ReadStateRow): ReadState {
  return { id: row.channel_id, lastReadSeq: Number(row.last_read_seq), muted: row.muted };
}

/** The user's read states of live channels, for a reset of their scope. */
export async function listReadStates(db: Queryable, userId: string): Promise<ReadState[]> {
  const { rows } = await db.query<ReadStateRow>(
    `SELECT r.channel_id, r.last_read_seq, r.muted FROM read_states r
     JOIN channels c ON c.id = r.channel_id AND c.deleted_at IS NULL
     WHERE r.user_id = $1 ORDER BY r.channel_id`,
    [userId],
  );
  return rows.map(toReadState);
}
