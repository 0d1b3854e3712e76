import { AppError, canSend, channelScope, type Poll, type PollCreateArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { channelPerms, publishMessage, sendMessage } from '../messages/mutations.ts';
import { findMessage, MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';
import { findPoll } from './queries.ts';

/** The question and options trimmed; blank or repeated options are refused. */
function cleanArgs(args: PollCreateArgs): { question: string; options: string[] } {
  const question = args.question.trim();
  if (!question) throw new AppError('invalid', 'question: a poll needs a question');
  const options = args.options.map((o) => o.trim());
  options.forEach((o, i) => {
    if (!o) throw new AppError('invalid', `options.${i}: an option cannot be blank`);
  });
  const seen = new Set(options.map((o) => o.toLocaleLowerCase()));
  if (seen.size !== options.length) {
    throw new AppError('invalid', 'options: each option must be different');
  }
  return { question, options };
}

/**
 * `poll.create`: a message whose text is the question (sent like any message,
 * so it needs send messages and is refused to a timed-out member), with the
 * poll attached. A resend of the same id by its author is a no-op.
 */
export async function createPoll(
  ctx: MutationContext,
  args: PollCreateArgs,
): Promise<MutationResult> {
  const { question, options } = cleanArgs(args);
  // Permissions first: a taken id in a channel the user may not see must not say so.
  const perms = await channelPerms(ctx, args.channelId);
  if (!canSend(perms))
    throw new AppError('forbidden', 'You may not send messages in this channel.');
  const prior = await findMessage(ctx.tx, args.id);
  if (prior) {
    // A resend of the user's own poll; any other message of that id stays what it is.
    const same = prior.author_id === ctx.userId && prior.channel_id === args.channelId;
    if (same && (await findPoll(ctx.tx, args.id))) {
      return { scope: channelScope(args.channelId), version: Number(prior.seq) };
    }
    throw new AppError('conflict', 'id: a message with this id already exists');
  }
  await sendMessage(ctx, { id: args.id, channelId: args.channelId, content: question });
  const endsAt =
    args.durationMinutes === undefined
      ? null
      : new Date(ctx.now.getTime() + args.durationMinutes * 60_000);
  await ctx.tx.query(
    `INSERT INTO polls (message_id, channel_id, option_count, multiple, anonymous, ends_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [args.id, args.channelId, options.length, args.multiple, args.anonymous, endsAt],
  );
  const poll: Poll = {
    question,
    options: options.map((text, id) => ({
      id,
      text,
      votes: 0,
      ...(args.anonymous ? {} : { voterIds: [] }),
    })),
    multiple: args.multiple,
    anonymous: args.anonymous,
    endsAt: endsAt?.toISOString() ?? null,
    closedAt: null,
    voters: 0,
  };
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET poll = $2::jsonb WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [args.id, JSON.stringify(poll)],
  );
  return publishMessage(ctx, rows[0] as MessageRow);
}
