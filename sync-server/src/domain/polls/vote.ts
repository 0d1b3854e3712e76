import {
  AppError,
  has,
  Permission,
  userScope,
  type Poll,
  type PollCloseArgs,
  type PollVoteArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { channelPerms, liveMessage, publishMessage } from '../messages/mutations.ts';
import { MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';
import { findPoll, isClosed, ownChoice, tally, type PollRow } from './queries.ts';

/** The live poll message `id` (locked) and its rules; anything else is "not found". */
async function livePoll(
  ctx: MutationContext,
  id: string,
): Promise<{ message: MessageRow; poll: PollRow; summary: Poll; perms: number }> {
  const message = await liveMessage(ctx, id);
  const poll = await findPoll(ctx.tx, id, true);
  const summary = message.poll;
  if (!poll || !summary) throw new AppError('not_found', 'No such poll.');
  const perms = await channelPerms(ctx, message.channel_id);
  return { message, poll, summary, perms };
}

/** Writes the poll's new summary on its message and sends the message to the channel. */
export async function publishPoll(
  ctx: Pick<MutationContext, 'tx' | 'changes'>,
  id: string,
  summary: Poll,
): Promise<MutationResult> {
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET poll = $2::jsonb WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [id, JSON.stringify(summary)],
  );
  return publishMessage(ctx as MutationContext, rows[0] as MessageRow);
}

/**
 * `poll.vote`: sets the user's whole choice (never flips one option), so a
 * resend or another device sending the same is a no-op; empty retracts. The
 * counts go to the channel, the voter's own choice to their user scope only.
 */
export async function votePoll(ctx: MutationContext, args: PollVoteArgs): Promise<MutationResult> {
  const { poll, summary } = await livePoll(ctx, args.pollId);
  const member = ctx.access.member(ctx.userId);
  if (member?.timedOutUntil != null && member.timedOutUntil > ctx.now.getTime()) {
    throw new AppError('forbidden', 'You are timed out and may not vote.');
  }
  if (isClosed(poll, ctx.now)) throw new AppError('conflict', 'This poll is closed.');
  const wanted = [...args.optionIds].sort((a, b) => a - b);
  const unknown = wanted.find((o) => o >= poll.option_count);
  if (unknown !== undefined) {
    throw new AppError('invalid', `optionIds: this poll has no option ${unknown}`);
  }
  if (!poll.multiple && wanted.length > 1) {
    throw new AppError('invalid', 'optionIds: this poll takes one choice');
  }
  const current = await ownChoice(ctx.tx, poll.message_id, ctx.userId);
  if (current.join() === wanted.join()) return {};
  await ctx.tx.query('DELETE FROM poll_votes WHERE poll_id = $1 AND user_id = $2', [
    poll.message_id,
    ctx.userId,
  ]);
  for (const option of wanted) {
    await ctx.tx.query(
      'INSERT INTO poll_votes (poll_id, user_id, option_id, voted_at) VALUES ($1, $2, $3, $4)',
      [poll.message_id, ctx.userId, option, ctx.now],
    );
  }
  const result = await publishPoll(ctx, poll.message_id, await tally(ctx.tx, poll, summary));
  await ctx.changes.append(ctx.tx, userScope(ctx.userId), [
    wanted.length === 0
      ? { op: 'delete', entity: 'pollVote', id: poll.message_id }
      : {
          op: 'upsert',
          entity: 'pollVote',
          id: poll.message_id,
          data: { id: poll.message_id, channelId: poll.channel_id, optionIds: wanted },
        },
  ]);
  return result;
}

/** `poll.close`: its author or anyone with manage messages there; closing a closed poll is a no-op. */
export async function closePoll(
  ctx: MutationContext,
  args: PollCloseArgs,
): Promise<MutationResult> {
  const { message, poll, summary, perms } = await livePoll(ctx, args.pollId);
  if (message.author_id !== ctx.userId && !has(perms, Permission.manageMessages)) {
    throw new AppError('forbidden', 'Only its author or a moderator may close a poll.');
  }
  if (poll.closed_at !== null) return {};
  await ctx.tx.query('UPDATE polls SET closed_at = $2 WHERE message_id = $1', [
    poll.message_id,
    ctx.now,
  ]);
  return publishPoll(ctx, poll.message_id, { ...summary, closedAt: ctx.now.toISOString() });
}
