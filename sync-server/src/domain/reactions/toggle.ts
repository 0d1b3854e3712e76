import {
  AppError,
  customEmojiName,
  EmojiRules,
  has,
  isReactionEmoji,
  setReaction,
  Permission,
  type ReactionToggleArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { channelPerms, liveMessage, publishMessage } from '../messages/mutations.ts';
import { MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';
import { queueEvent } from '../webhooks/enqueue.ts';

/**
 * `reaction.toggle`: sets (never flips) the user's reaction, so a resend or a
 * second device doing the same is a no-op. Custom emoji must exist to be added;
 * one deleted since can still be taken off.
 */
export async function toggleReaction(
  ctx: MutationContext,
  args: ReactionToggleArgs,
): Promise<MutationResult> {
  if (!isReactionEmoji(args.emoji)) {
    throw new AppError('invalid', 'emoji: a unicode emoji or :name: of a custom emoji');
  }
  const row = await liveMessage(ctx, args.messageId);
  const perms = await channelPerms(ctx, row.channel_id);
  if (!has(perms, Permission.addReactions)) {
    throw new AppError('forbidden', 'You may not add reactions in this channel.');
  }
  const current = row.reactions ?? [];
  const next = setReaction(current, args.emoji, ctx.userId, args.on);
  if (!next) return {};
  if (args.on) {
    await queueEvent(
      ctx.tx,
      'reaction.added',
      {
        reaction: {
          messageId: row.id,
          channelId: row.channel_id,
          userId: ctx.userId,
          emoji: args.emoji,
        },
      },
      { channelId: row.channel_id, access: ctx.access },
    );
  }
  if (args.on && !current.some((r) => r.emoji === args.emoji)) {
    if (current.length >= EmojiRules.maxReactionsPerMessage) {
      throw new AppError(
        'too_large',
        `A message holds at most ${EmojiRules.maxReactionsPerMessage} different reactions.`,
      );
    }
    const custom = customEmojiName(args.emoji);
    if (custom !== undefined) {
      const { rows } = await ctx.tx.query('SELECT 1 FROM emojis WHERE name = $1', [custom]);
      if (rows.length === 0) throw new AppError('not_found', `No custom emoji :${custom}:.`);
    }
  }
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET reactions = $2::jsonb WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [row.id, JSON.stringify(next)],
  );
  return publishMessage(ctx, rows[0] as MessageRow);
}
