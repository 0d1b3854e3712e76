import { AppError, has, Permission, type MessagePinArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { channelPerms, liveMessage, publishMessage } from '../messages/mutations.ts';
import { MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';

/** `message.pin`: pins or unpins (manage messages); the state it already has is a no-op. */
export async function pinMessage(
  ctx: MutationContext,
  args: MessagePinArgs,
): Promise<MutationResult> {
  const row = await liveMessage(ctx, args.id);
  const perms = await channelPerms(ctx, row.channel_id);
  // In a direct conversation every participant who may write may pin.
  const inDm = ctx.access.dmParticipants(row.channel_id) !== undefined;
  if (inDm ? !has(perms, Permission.sendMessages) : !has(perms, Permission.manageMessages)) {
    throw new AppError('forbidden', 'You need the manage messages permission to pin.');
  }
  if ((row.pinned_at !== null && row.pinned_at !== undefined) === args.pinned) return {};
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET pinned_at = $2 WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [row.id, args.pinned ? ctx.now : null],
  );
  return publishMessage(ctx, rows[0] as MessageRow);
}
