import { newId, type MessageReportArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../../write/context.ts';
import { liveMessage } from '../messages/mutations.ts';

/**
 * `message.report`: anyone who may see a message reports it to the
 * moderators. The report keeps a copy of that message (author, text and attachment names) and
 * nothing else of its conversation; reporting it again changes nothing.
 */
export async function reportMessage(
  ctx: MutationContext,
  args: MessageReportArgs,
): Promise<MutationResult> {
  const row = await liveMessage(ctx, args.messageId);
  await ctx.tx.query(
    `INSERT INTO message_reports
       (id, reporter_id, message_id, author_id, content, attachments, reason, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) ON CONFLICT (reporter_id, message_id) DO NOTHING`,
    [
      newId(),
      ctx.userId,
      row.id,
      row.author_id,
      row.content,
      JSON.stringify((row.attachments ?? []).map((a) => a.name)),
      (args.reason ?? '').trim(),
      ctx.now,
    ],
  );
  return {};
}
