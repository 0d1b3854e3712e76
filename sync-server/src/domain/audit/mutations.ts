import type { MutationName } from '@echora/shared';
import type { MutationContext } from '../../write/context.ts';
import { writeAudit } from './log.ts';

/** Mutations whose handlers live elsewhere but belong in the audit log. */
const CHANNEL_ACTIONS: ReadonlySet<MutationName> = new Set([
  'channel.create',
  'channel.rename',
  'channel.delete',
  'channel.reorder',
]);

/**
 * Records a channel change, or the deletion of someone else's message, in the
 * audit log, inside the mutation's transaction (after its handler succeeded).
 * Role, member-role and override mutations write their own richer entries.
 */
export async function auditMutation(
  ctx: MutationContext,
  name: MutationName,
  args: unknown,
): Promise<void> {
  const a = args as { id?: string; name?: string; ids?: string[] };
  if (CHANNEL_ACTIONS.has(name)) {
    await writeAudit(ctx.tx, {
      actorId: ctx.userId,
      action: name,
      targetType: 'channel',
      ...(a.id ? { targetId: a.id } : {}),
      data: a.name !== undefined ? { name: a.name } : a.ids ? { ids: a.ids } : {},
    });
    return;
  }
  if (name === 'message.delete' && a.id) {
    const { rows } = await ctx.tx.query<{ author_id: string; channel_id: string }>(
      'SELECT author_id, channel_id FROM messages WHERE id = $1',
      [a.id],
    );
    const row = rows[0];
    if (row && row.author_id !== ctx.userId) {
      await writeAudit(ctx.tx, {
        actorId: ctx.userId,
        action: 'message.delete',
        targetType: 'user',
        targetId: row.author_id,
        data: { messageId: a.id, channelId: row.channel_id },
      });
    }
  }
}
