import type { Removal } from '@echora/shared';
import { clearMediaCache } from '../files/media-session.ts';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { forgetNotes } from '../sync/notes-storage.ts';
import { UploadQueueDb } from '../uploads/queue-db.ts';
import { forgetLocalData } from './backend.ts';

/**
 * What the removed user is told: why, from what, and how many unsent messages
 * were dropped (null while the device is still forgetting).
 */
export interface RemovalNotice extends Removal {
  discarded: number | null;
}

/** The plain sentence for a removal. */
export function removalTitle(removal: Removal): string {
  return removal.reason === 'ban'
    ? `You were banned from ${removal.community}`
    : `You were removed from ${removal.community}`;
}

/**
 * Forgets what this device holds of one community for `userId`: the replica
 * (rows, cursors, outbox, session), messages waiting to upload with their
 * files, cached media and the channel notes. Separate databases, forgotten
 * side by side; answers how many unsent messages went and what failed.
 * `forgetReplica` replaces the replica step when an engine runs on it (it
 * stops the engine first).
 */
export async function forgetCommunityData(
  replica: ReplicaPort,
  userId: string | undefined,
  forgetReplica: () => Promise<number> = () => forgetLocalData(replica),
): Promise<{ discarded: number; failures: unknown[] }> {
  const steps = await Promise.allSettled([
    forgetReplica(),
    forgetUploadsAndMedia(userId),
    userId ? forgetNotes(userId).then(() => 0) : Promise.resolve(0),
  ]);
  let discarded = 0;
  const failures: unknown[] = [];
  for (const step of steps) {
    if (step.status === 'fulfilled') discarded += step.value;
    else failures.push(step.reason);
  }
  return { discarded, failures };
}

/**
 * Forgets the removed user's messages waiting to upload with their files,
 * and every cached medium; answers how many queued messages went.
 */
export async function forgetUploadsAndMedia(userId: string | undefined): Promise<number> {
  let discarded = 0;
  const uploads = new UploadQueueDb();
  try {
    const mine = uploads.messages.where('userId').equals(userId ?? '');
    discarded = await mine.count();
    await mine.delete();
  } finally {
    uploads.close();
  }
  await clearMediaCache();
  return discarded;
}
