import { newId } from '@echora/shared';
import { make, SENDERS, STAFF, type Case, type Matrix } from './authz-matrix.ts';

/**
 * The poll rows of the authorization matrix: creating needs send messages
 * (the timed-out member is refused), voting needs to see the channel and not
 * be timed out, closing early is for the poll's author (`member`) and those
 * with manage messages. Polls are written straight to the database.
 */
export function pollCases(m: Matrix): Case<unknown>[] {
  /** An open named poll by `authorId` in #general. */
  async function makePoll(authorId: string): Promise<string> {
    const id = await m.makeMessage(authorId);
    const summary = {
      question: 'hi',
      options: [0, 1].map((o) => ({ id: o, text: `o${o}`, votes: 0, voterIds: [] })),
      multiple: false,
      anonymous: false,
      endsAt: null,
      closedAt: null,
      voters: 0,
    };
    await m.db.query('UPDATE messages SET poll = $2::jsonb WHERE id = $1', [
      id,
      JSON.stringify(summary),
    ]);
    await m.db.query(
      `INSERT INTO polls (message_id, channel_id, option_count, multiple, anonymous)
       VALUES ($1, $2, 2, false, false)`,
      [id, m.general],
    );
    return id;
  }

  return [
    make({
      name: 'poll.create in #general',
      allowed: SENDERS,
      prepare: () => newId(),
      act: (a, id: string) =>
        m.mutate(a, 'poll.create', {
          id,
          channelId: m.general,
          question: 'Q?',
          options: ['a', 'b'],
          multiple: false,
          anonymous: true,
        }),
    }),
    make({
      name: 'poll.vote in #general',
      allowed: SENDERS,
      prepare: () => makePoll(m.ids.owner),
      act: (a, pollId: string) => m.mutate(a, 'poll.vote', { pollId, optionIds: [1] }),
    }),
    make({
      name: "poll.close of the member's poll",
      allowed: [...STAFF, 'member'],
      prepare: () => makePoll(m.ids.member),
      act: (a, pollId: string) => m.mutate(a, 'poll.close', { pollId }),
    }),
  ];
}
