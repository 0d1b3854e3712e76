import type { Reaction } from '../protocol/entities.ts';

/**
 * The reactions with `userId` added to (`on`) or removed from `emoji`, in the
 * order each emoji was first used; undefined when the state already holds.
 * Server and client apply the same rule, so an optimistic toggle matches the result.
 */
export function setReaction(
  reactions: readonly Reaction[],
  emoji: string,
  userId: string,
  on: boolean,
): Reaction[] | undefined {
  const entry = reactions.find((r) => r.emoji === emoji);
  const mine = entry?.userIds.includes(userId) ?? false;
  if (mine === on) return undefined;
  if (on && !entry) return [...reactions, { emoji, userIds: [userId] }];
  return reactions.flatMap((r) => {
    if (r.emoji !== emoji) return [r];
    const userIds = on ? [...r.userIds, userId] : r.userIds.filter((id) => id !== userId);
    return userIds.length > 0 ? [{ emoji, userIds }] : [];
  });
}
