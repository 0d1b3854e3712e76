import {
  AppError,
  canDeleteMessage,
  canEditMessage,
  canSee,
  canSend,
  channelScope,
  type MessageDeleteArgs,
  type MessageEditArgs,
  type MessageSendArgs,
} from '@echora/shared';
import {
  StaleAccessError,
  type MutationContext,
  type MutationResult,
} from '../../write/context.ts';
import { takeVersions } from '../../write/feed.ts';
import { findChannel } from '../channels/queries.ts';
import { seesChannel } from '../channels/visible.ts';
import { attachUploads, claimUploads } from '../files/attach.ts';
import { refreshThreadSummary } from '../threads/summary.ts';
import { storeMentions } from '../mentions/store.ts';
import { messageMentions } from '../mentions/resolve.ts';
import { searchVector } from '../search/vector.ts';
import { queueEvent } from '../webhooks/enqueue.ts';
import { queuePreviews } from '../previews/enqueue.ts';
import { findMessage, MESSAGE_COLUMNS, toMessage, type MessageRow } from './queries.ts';

function requireContent(content: string): void {
  if (!content.trim()) throw new AppError('invalid', 'content: a message cannot be blank');
}

/**
 * The user's permissions in a live text channel or thread. A channel the user
 * may not see is "not found", so its existence does not leak.
 */
export async function channelPerms(ctx: MutationContext, channelId: string): Promise<number> {
  const channel = await findChannel(ctx.tx, channelId);
  if (!channel || channel.deleted_at !== null) throw new AppError('not_found', 'No such channel.');
  if (!ctx.access.data.channels.has(channelId)) throw new StaleAccessError();
  const perms = ctx.access.channel(ctx.userId, channelId, ctx.now.getTime());
  if (!canSee(perms)) throw new AppError('not_found', 'No such channel.');
  if (channel.kind === 'voice')
    throw new AppError('invalid', 'channelId: voice channels hold no messages');
  return perms;
}

/**
 * A message that exists, is not deleted and is in a channel the user may see,
 * locked until the transaction ends. Anything else is the same "not found",
 * so a message of a hidden or deleted channel does not leak.
 */
export async function liveMessage(ctx: MutationContext, id: string): Promise<MessageRow> {
  const row = await findMessage(ctx.tx, id, true);
  if (!row || row.deleted_at !== null || !(await seesChannel(ctx, row.channel_id))) {
    throw new AppError('not_found', 'No such message.');
  }
  return row;
}

export { publishMessage } from './publish.ts';

/** A reply answers a message of the same channel (which may have been deleted since). */
async function requireReplyTarget(ctx: MutationContext, args: MessageSendArgs): Promise<void> {
  if (args.replyToId === undefined) return;
  const target = await findMessage(ctx.tx, args.replyToId);
  if (target?.channel_id !== args.channelId) {
    throw new AppError('invalid', 'replyToId: no such message in this channel');
  }
}

/**
 * `message.send`. The id comes from the client so a resend is recognised: the
 * same id from the same author in the same channel is the same message.
 */
export async function sendMessage(
  ctx: MutationContext,
  args: MessageSendArgs,
): Promise<MutationResult> {
  // A message of files only may have no caption.
  if (!args.attachmentIds?.length) requireContent(args.content);
  const perms = await channelPerms(ctx, args.channelId);
  if (!canSend(perms))
    throw new AppError('forbidden', 'You may not send messages in this channel.');
  const scope = channelScope(args.channelId);
  const existing = await findMessage(ctx.tx, args.id);
  if (existing) {
    if (existing.author_id === ctx.userId && existing.channel_id === args.channelId) {
      return { scope, version: Number(existing.seq) };
    }
    throw new AppError('conflict', 'id: a message with this id already exists');
  }
  await requireReplyTarget(ctx, args);
  // After the resend check above: a replay finds its files attached already.
  const attachments = await claimUploads(ctx.tx, ctx.userId, args.attachmentIds ?? [], perms);
  const version = await takeVersions(ctx.tx, scope);
  // Mentions are resolved from the cache, so they go in with the row (no second write).
  const mentions = messageMentions(ctx.access, args.content, perms);
  const { rows } = await ctx.tx.query<MessageRow>(
    `INSERT INTO messages (id, channel_id, author_id, content, seq, created_at, reply_to_id, mentions, search)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::tsvector) RETURNING ${MESSAGE_COLUMNS}`,
    [
      args.id,
      args.channelId,
      ctx.userId,
      args.content,
      version,
      ctx.now,
      args.replyToId ?? null,
      JSON.stringify(mentions),
      searchVector(args.content),
    ],
  );
  const message = toMessage(rows[0] as MessageRow);
  await attachUploads(ctx.tx, message.id, attachments);
  message.attachments = attachments;
  await ctx.changes.appendAt(ctx.tx, scope, version, [
    { op: 'upsert', entity: 'message', id: message.id, data: message },
  ]);
  await refreshThreadSummary(ctx, args.channelId);
  await queuePreviews(ctx.tx, message.id, args.content);
  await queueEvent(
    ctx.tx,
    'message.created',
    {
      message: {
        id: message.id,
        channelId: args.channelId,
        authorId: ctx.userId,
        content: args.content,
        createdAt: message.createdAt,
        replyToId: args.replyToId ?? null,
      },
    },
    { channelId: args.channelId, access: ctx.access },
  );
  // A direct message tells every other participant; elsewhere only mentions do.
  const direct = ctx.access.data.channels.get(args.channelId)?.kind === 'dm';
  if (direct || mentions.everyone || mentions.users.length > 0 || mentions.roles.length > 0) {
    ctx.changes.notices.push({
      messageId: message.id,
      channelId: args.channelId,
      authorId: ctx.userId,
      mentions,
    });
  }
  return { scope, version };
}

/**
 * `message.edit`: only the author, whatever their roles, and only while they
 * may send there: an edit is a new text (and new mentions), so a member who
 * lost send or is timed out cannot edit either; nor is a poll's question.
 * Refused before anything is written, so a refused edit notifies nobody.
 */
export async function editMessage(
  ctx: MutationContext,
  args: MessageEditArgs,
): Promise<MutationResult> {
  requireContent(args.content);
  const row = await liveMessage(ctx, args.id);
  const perms = await channelPerms(ctx, row.channel_id);
  if (!canEditMessage(ctx.userId, row.author_id)) {
    throw new AppError('forbidden', 'Only its author may edit a message.');
  }
  if (!canSend(perms)) {
    throw new AppError('forbidden', 'You may not send or edit messages in this channel.');
  }
  // A poll's text is its question: changing it would change what people voted on.
  const poll = await ctx.tx.query('SELECT 1 FROM polls WHERE message_id = $1', [args.id]);
  if (poll.rows.length > 0) throw new AppError('conflict', 'A poll’s question cannot be edited.');
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET content = $2, edited_at = $3, search = $4::tsvector
     WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [args.id, args.content, ctx.now, searchVector(args.content)],
  );
  const message = toMessage(rows[0] as MessageRow);
  message.mentions = await storeMentions(ctx, message.id, args.content, perms);
  const scope = channelScope(row.channel_id);
  const [change] = await ctx.changes.append(ctx.tx, scope, [
    { op: 'upsert', entity: 'message', id: message.id, data: message },
  ]);
  return { scope, version: change?.version ?? 0 };
}

/** `message.delete`: its author, or anyone with manage messages there. Leaves a tombstone. */
export async function deleteMessage(
  ctx: MutationContext,
  args: MessageDeleteArgs,
): Promise<MutationResult> {
  const row = await liveMessage(ctx, args.id);
  const perms = await channelPerms(ctx, row.channel_id);
  if (!canDeleteMessage(ctx.userId, row.author_id, perms)) {
    throw new AppError('forbidden', 'You may not delete this message.');
  }
  // A deleted message leaves the search index in the same transaction.
  await ctx.tx.query('UPDATE messages SET deleted_at = $2, search = NULL WHERE id = $1', [
    args.id,
    ctx.now,
  ]);
  const scope = channelScope(row.channel_id);
  const [change] = await ctx.changes.append(ctx.tx, scope, [
    { op: 'delete', entity: 'message', id: args.id },
  ]);
  await refreshThreadSummary(ctx, row.channel_id);
  return { scope, version: change?.version ?? 0 };
}
