import {
  AppError,
  canSend,
  channelScope,
  COMMUNITY_SCOPE,
  type ThreadCreateArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { CHANNEL_COLUMNS, findChannel, toChannel, type ChannelRow } from '../channels/queries.ts';
import { channelPerms, liveMessage } from '../messages/mutations.ts';
import { refreshThreadSummary } from './summary.ts';

/**
 * `thread.create`: a channel of kind `thread` under the message's channel,
 * visible to whoever sees that channel. Anyone who may send there may start
 * one; a message has at most one. A resend of the same thread is recognised.
 */
export async function createThread(
  ctx: MutationContext,
  args: ThreadCreateArgs,
): Promise<MutationResult> {
  const name = args.name.trim();
  if (!name) throw new AppError('invalid', 'name: must not be blank');
  // Permission first: the resend shortcut below must not tell an outsider the thread exists.
  const perms = await channelPerms(ctx, args.channelId);
  const parent = await findChannel(ctx.tx, args.channelId);
  if (parent?.kind !== 'text')
    throw new AppError('invalid', 'channelId: threads start in text channels');
  if (!canSend(perms))
    throw new AppError('forbidden', 'You may not send messages in this channel.');
  const message = await liveMessage(ctx, args.messageId);
  if (message.channel_id !== args.channelId) {
    throw new AppError('not_found', 'No such message in this channel.');
  }
  const existing = await findChannel(ctx.tx, args.id);
  if (existing) {
    if (existing.parent_message_id === args.messageId) return {};
    throw new AppError('conflict', 'id: a channel with this id already exists');
  }
  const { rows: taken } = await ctx.tx.query(
    'SELECT 1 FROM channels WHERE parent_message_id = $1 AND deleted_at IS NULL',
    [args.messageId],
  );
  if (taken.length > 0) throw new AppError('conflict', 'This message already has a thread.');
  const { rows } = await ctx.tx.query<ChannelRow>(
    `INSERT INTO channels (id, kind, name, topic, position, created_at, parent_id, parent_message_id)
     VALUES ($1, 'thread', $2, '', 0, $3, $4, $5) RETURNING ${CHANNEL_COLUMNS}`,
    [args.id, name, ctx.now, args.channelId, args.messageId],
  );
  await ctx.tx.query('INSERT INTO scopes (scope, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [
    channelScope(args.id),
  ]);
  const channel = toChannel(rows[0] as ChannelRow);
  ctx.changes.accessChannels.add(channel.id);
  const [change] = await ctx.changes.append(ctx.tx, COMMUNITY_SCOPE, [
    { op: 'upsert', entity: 'channel', id: channel.id, data: channel },
  ]);
  await refreshThreadSummary(ctx, channel.id);
  return { scope: COMMUNITY_SCOPE, version: change?.version ?? 0 };
}
