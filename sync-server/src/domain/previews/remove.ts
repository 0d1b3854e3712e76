import { AppError, type MessageRemovePreviewArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { liveMessage } from '../messages/mutations.ts';
import { publishMessage } from '../messages/publish.ts';
import { MESSAGE_COLUMNS, type MessageRow } from '../messages/queries.ts';

/**
 * `message.removePreview`: the author takes the cards off their message, and
 * any unfurl still under way is dropped (its job row goes here, under the
 * message's lock, so the worker writes nothing after). Idempotent.
 */
export async function removePreview(
  ctx: MutationContext,
  args: MessageRemovePreviewArgs,
): Promise<MutationResult> {
  const message = await liveMessage(ctx, args.id);
  if (message.author_id !== ctx.userId) {
    throw new AppError('forbidden', "Only a message's author may remove its link previews.");
  }
  await ctx.tx.query('DELETE FROM link_preview_jobs WHERE message_id = $1', [args.id]);
  if (!message.previews) return {};
  const { rows } = await ctx.tx.query<MessageRow>(
    `UPDATE messages SET previews = NULL WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
    [args.id],
  );
  return publishMessage(ctx, rows[0] as MessageRow);
}
