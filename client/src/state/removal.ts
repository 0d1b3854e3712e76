import type { Removal } from '@echora/shared';
import { clearMediaCache } from '../files/media-session.ts';
import { UploadQueueDb } from '../uploads/queue-db.ts';

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
