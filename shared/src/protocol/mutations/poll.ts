import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { Limits } from '../limits.ts';
import { singleLineText } from '../text.ts';

/** A poll's question: 1-300 characters, one line (the server also refuses all-whitespace). */
export const pollQuestion = singleLineText({ minLength: 1, maxLength: Limits.pollQuestionLength });

/** One answer: 1-100 characters, one line (the server also refuses all-whitespace and repeats). */
export const pollOptionText = singleLineText({ minLength: 1, maxLength: Limits.pollOptionLength });

/**
 * Post a poll: a message (`id`, a UUIDv7 made by the client, so a resend is
 * recognised) in `channelId` whose text is the question. Needs send messages
 * there. `durationMinutes`: the server closes it that long after it is posted
 * (absent: open until its author or a moderator closes it).
 */
export const pollCreateArgs = Type.Object(
  {
    id: Uuid,
    channelId: Uuid,
    question: pollQuestion,
    options: Type.Array(pollOptionText, {
      minItems: Limits.pollOptionsMin,
      maxItems: Limits.pollOptionsMax,
    }),
    multiple: Type.Boolean(),
    anonymous: Type.Boolean(),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: Limits.pollMaxMinutes })),
  },
  { additionalProperties: false },
);
export type PollCreateArgs = Static<typeof pollCreateArgs>;

/**
 * Set the user's choice in a poll (the whole set, so a resend or a second
 * device doing the same is a no-op). Empty retracts; a single-choice poll
 * takes one. Needs to see the channel; refused once the poll is closed.
 */
export const pollVoteArgs = Type.Object(
  {
    pollId: Uuid,
    optionIds: Type.Array(Type.Integer({ minimum: 0, maximum: Limits.pollOptionsMax - 1 }), {
      maxItems: Limits.pollOptionsMax,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);
export type PollVoteArgs = Static<typeof pollVoteArgs>;

/** Close a poll before its end time: its author, or manage messages in its channel. */
export const pollCloseArgs = Type.Object({ pollId: Uuid }, { additionalProperties: false });
export type PollCloseArgs = Static<typeof pollCloseArgs>;
