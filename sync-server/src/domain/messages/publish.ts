import { channelScope } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { toMessage, type MessageRow } from './queries.ts';

/** Sends a changed message row to its channel's feed (reactions, pins, thread summary). */
export async function publishMessage(
  ctx: MutationContext,
  row: MessageRow,
): Promise<MutationResult> {
  const message = toMessage(row);
  const scope = channelScope(row.channel_id);
  const [change] = await ctx.changes.append(ctx.tx, scope, [
    { op: 'upsert', entity: 'message', id: message.id, data: message },
  ]);
  return { scope, version: change?.version ?? 0 };
}
