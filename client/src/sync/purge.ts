import { channelScope, type MutationName } from '@echora/shared';
import { touches, type ApplyContext } from './optimistic.ts';
import { recompute } from './rebase.ts';
import type { OutboxEntry, Replica } from './replica.ts';

export const hasMoreKey = (channelId: string): string => `hasMore:${channelId}`;

/** Mutations aimed at a channel that exists (creating one is not: it is not purged while pending). */
const BY_ARGS_CHANNEL: ReadonlySet<MutationName> = new Set([
  'message.send',
  'read.mark',
  'channel.mute',
  'channel.overrides',
  'thread.create',
]);
const BY_LOCAL_CHANNEL: ReadonlySet<MutationName> = new Set([
  'message.edit',
  'message.delete',
  'message.pin',
  'reaction.toggle',
  'dm.open',
]);
const BY_ID: ReadonlySet<MutationName> = new Set([
  'channel.rename',
  'channel.delete',
  'dm.rename',
  'dm.add',
  'dm.remove',
  'dm.leave',
]);

/** The channel an outbox entry acts in, if it acts in one. */
export function channelOfEntry(entry: OutboxEntry): string | undefined {
  const args = entry.args as { channelId?: unknown; id?: unknown };
  const id = BY_ARGS_CHANNEL.has(entry.name)
    ? args.channelId
    : BY_LOCAL_CHANNEL.has(entry.name)
      ? entry.local?.channelId
      : BY_ID.has(entry.name)
        ? args.id
        : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Forgets a channel (deleted, no longer visible, a conversation left) inside
 * the caller's read-write transaction: its messages, cursor, paging state,
 * and the outbox entries aimed at it, which can never apply now. Those go
 * with the local changes they made (recomputed from the server's state), and
 * their ids are added to `dropped`, so the app can tell whoever is waiting
 * for them that they were not sent.
 */
export async function purgeChannel(
  r: Replica,
  channelId: string,
  ctx: ApplyContext,
  dropped?: number[],
): Promise<void> {
  const stale = await r.outbox.filter((e) => channelOfEntry(e) === channelId).toArray();
  if (stale.length > 0) {
    await r.outbox.bulkDelete(stale.map((e) => e.id ?? 0));
    await recompute(r, stale.flatMap(touches), ctx);
    dropped?.push(...stale.map((e) => e.id ?? 0));
  }
  const scope = channelScope(channelId);
  await r.messages.where('channelId').equals(channelId).delete();
  await r.shadows.where('scope').equals(scope).delete();
  await r.cursors.delete(scope);
  await r.kv.delete(hasMoreKey(channelId));
}
