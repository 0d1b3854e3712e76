import type { Change, ChangesDown } from '@echora/shared';
import type { Access } from '../domain/permissions/access.ts';

/**
 * Whether `userId` may receive a change of the community scope. Channels they
 * may not see are hidden. A channel that is gone passes only as its
 * tombstone, so a replica that held it forgets it, while the name and topic
 * it was given while private (or just before it went) stay with those who
 * could see them. `access` must be at least as new as the change, so a
 * channel it does not know is gone rather than not created yet.
 */
export function mayReceive(change: Change, access: Access, userId: string): boolean {
  if (change.entity !== 'channel') return true;
  if (change.op === 'upsert') return access.canSeeChannel(userId, change.data.id);
  return !access.data.channels.has(change.id) || access.canSeeChannel(userId, change.id);
}

/** A live `changes` frame with what `userId` may not receive taken out (from..to unchanged). */
export function visibleOnly(frame: ChangesDown, access: Access, userId: string): ChangesDown {
  return { ...frame, changes: frame.changes.filter((c) => mayReceive(c, access, userId)) };
}
