import type { Mentions } from '@echora/shared';
import type { MutationContext } from '../../write/context.ts';
import { messageMentions } from './resolve.ts';

/**
 * Resolves and stores who a message (just written or edited) mentions, and
 * returns it for the message's feed entry. An edit re-resolves: a mention
 * added later counts, one removed stops counting.
 */
export async function storeMentions(
  ctx: MutationContext,
  messageId: string,
  content: string,
  channelPerms: number,
): Promise<Mentions> {
  const mentions = messageMentions(ctx.access, content, channelPerms);
  await ctx.tx.query('UPDATE messages SET mentions = $2 WHERE id = $1', [
    messageId,
    JSON.stringify(mentions),
  ]);
  return mentions;
}
