import {
  AppError,
  canSee,
  channelScope,
  userScope,
  type ChannelMuteArgs,
  type ReadMarkArgs,
} from '@echora/shared';
import {
  StaleAccessError,
  type MutationContext,
  type MutationResult,
} from '../../write/context.ts';
import { scopeVersion } from '../../write/feed.ts';
import { findChannel } from '../channels/queries.ts';
import { READ_STATE_COLUMNS, toReadState, type ReadStateRow } from './queries.ts';

/** A live channel the user may see; anything else is "not found", so it does not leak. */
async function visibleChannel(ctx: MutationContext, channelId: string): Promise<void> {
  const channel = await findChannel(ctx.tx, channelId);
  if (!channel || channel.deleted_at !== null) throw new AppError('not_found', 'No such channel.');
  if (!ctx.access.data.channels.has(channelId)) throw new StaleAccessError();
  if (!canSee(ctx.access.channel(ctx.userId, channelId, ctx.now.getTime()))) {
    throw new AppError('not_found', 'No such channel.');
  }
}

/** Publishes a changed read state to the user's own scope, so their other devices follow. */
async function publish(
  ctx: MutationContext,
  row: ReadStateRow | undefined,
): Promise<MutationResult> {
  // Nothing changed (an older or repeated mark): no feed entry, a plain ack.
  if (!row) return {};
  const scope = userScope(ctx.userId);
  const state = toReadState(row);
  const [change] = await ctx.changes.append(ctx.tx, scope, [
    { op: 'upsert', entity: 'readState', id: state.id, data: state },
  ]);
  return { scope, version: change?.version ?? 0 };
}

/**
 * `read.mark`: moves the user's read mark of a channel forward, never back.
 * A seq past the channel's newest version is clamped to it.
 */
export async function markRead(ctx: MutationContext, args: ReadMarkArgs): Promise<MutationResult> {
  await visibleChannel(ctx, args.channelId);
  const newest = await scopeVersion(ctx.tx, channelScope(args.channelId));
  const seq = Math.min(args.seq, newest);
  const { rows } = await ctx.tx.query<ReadStateRow>(
    `INSERT INTO read_states (user_id, channel_id, last_read_seq) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, channel_id) DO UPDATE SET last_read_seq = EXCLUDED.last_read_seq
       WHERE read_states.last_read_seq < EXCLUDED.last_read_seq
     RETURNING ${READ_STATE_COLUMNS}`,
    [ctx.userId, args.channelId, seq],
  );
  return publish(ctx, rows[0]);
}

/** `channel.mute`: the user's own setting for a channel they can see. */
export async function muteChannel(
  ctx: MutationContext,
  args: ChannelMuteArgs,
): Promise<MutationResult> {
  await visibleChannel(ctx, args.channelId);
  const { rows } = await ctx.tx.query<ReadStateRow>(
    `INSERT INTO read_states (user_id, channel_id, muted) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, channel_id) DO UPDATE SET muted = EXCLUDED.muted
       WHERE read_states.muted IS DISTINCT FROM EXCLUDED.muted
     RETURNING ${READ_STATE_COLUMNS}`,
    [ctx.userId, args.channelId, args.muted],
  );
  return publish(ctx, rows[0]);
}
