import type { Poll, PollVote } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

/** A poll's rules as the server keeps them (`polls`). */
export interface PollRow extends Record<string, unknown> {
  message_id: string;
  channel_id: string;
  option_count: number;
  multiple: boolean;
  anonymous: boolean;
  ends_at: Date | string | null;
  closed_at: Date | string | null;
}

const POLL_COLUMNS =
  'message_id, channel_id, option_count, multiple, anonymous, ends_at, closed_at';

/** The poll of message `id`; `forUpdate` locks it until the transaction ends. */
export async function findPoll(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<PollRow | undefined> {
  const { rows } = await db.query<PollRow>(
    `SELECT ${POLL_COLUMNS} FROM polls WHERE message_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** Whether no vote counts any more: closed, or past its end time. */
export function isClosed(poll: PollRow, now: Date): boolean {
  if (poll.closed_at !== null) return true;
  return poll.ends_at !== null && new Date(poll.ends_at).getTime() <= now.getTime();
}

/** The options user `userId` chose in poll `pollId`, in option order. */
export async function ownChoice(db: Queryable, pollId: string, userId: string): Promise<number[]> {
  const { rows } = await db.query<{ option_id: number }>(
    'SELECT option_id FROM poll_votes WHERE poll_id = $1 AND user_id = $2 ORDER BY option_id',
    [pollId, userId],
  );
  return rows.map((r) => Number(r.option_id));
}

/**
 * The poll's summary with counts from `poll_votes`: an anonymous poll gets
 * counts only, a named one the voters of each option too (oldest vote first).
 */
export async function tally(db: Queryable, poll: PollRow, current: Poll): Promise<Poll> {
  const { rows } = await db.query<{ option_id: number; votes: number; voters: string[] }>(
    `SELECT option_id, count(*)::int AS votes, json_agg(user_id ORDER BY voted_at, user_id) AS voters
     FROM poll_votes WHERE poll_id = $1 GROUP BY option_id`,
    [poll.message_id],
  );
  const { rows: total } = await db.query<{ n: number }>(
    'SELECT count(DISTINCT user_id)::int AS n FROM poll_votes WHERE poll_id = $1',
    [poll.message_id],
  );
  const byOption = new Map(rows.map((r) => [Number(r.option_id), r]));
  return {
    ...current,
    options: current.options.map((o) => {
      const counted = byOption.get(o.id);
      const option = { id: o.id, text: o.text, votes: Number(counted?.votes ?? 0) };
      return poll.anonymous ? option : { ...option, voterIds: counted?.voters ?? [] };
    }),
    voters: Number(total[0]?.n ?? 0),
  };
}

/** Most own votes a user scope's reset carries (the newest polls they voted in). */
export const RESET_VOTES = 500;

/** The user's own choices in polls of live messages, newest vote first (their user scope). */
export async function listOwnVotes(db: Queryable, userId: string): Promise<PollVote[]> {
  const { rows } = await db.query<{ poll_id: string; channel_id: string; options: number[] }>(
    `SELECT v.poll_id, p.channel_id, json_agg(v.option_id ORDER BY v.option_id) AS options
     FROM poll_votes v JOIN polls p ON p.message_id = v.poll_id
     JOIN messages m ON m.id = v.poll_id AND m.deleted_at IS NULL
     WHERE v.user_id = $1
     GROUP BY v.poll_id, p.channel_id
     ORDER BY max(v.voted_at) DESC LIMIT $2`,
    [userId, RESET_VOTES],
  );
  return rows.map((r) => ({
    id: r.poll_id,
    channelId: r.channel_id,
    optionIds: r.options.map(Number),
  }));
}
