import { emptyMessageExtras } from '@echora/shared';
/// <reference lib="dom" />
/**
 * Runs inside the page for P6 (bundled by Vite into an IIFE named `P6Seed`):
 * fills the app's replica through the app's own replica code, so the cached
 * rows have exactly the shape and indexes the app reads at start-up.
 */
import { confirmed, createReplica, kvRead } from '../client/src/sync/replica.ts';

/** The replica's IndexedDB name, as `client/src/state/backend.ts` opens it. */
const replicaName = 'echora';
const batch = 5_000;

/**
 * Adds `count` confirmed messages to the last opened channel, older than every
 * message already there (negative seqs, earlier times), so the newest message
 * the app paints stays the real one.
 */
export async function seed(count: number): Promise<{ channelId: string; total: number }> {
  const replica = createReplica(replicaName);
  try {
    const channelId =
      (await kvRead<string>(replica, 'lastChannelId')) ??
      (await replica.channels.toArray()).find((c) => c.name === 'general')?.id;
    if (channelId === undefined) throw new Error('P6: no last channel in the replica');
    const sample = await replica.messages.where('channelId').equals(channelId).first();
    if (sample === undefined) throw new Error('P6: the last channel has no message to copy');
    const oldest = Date.parse(sample.createdAt) - (count + 1) * 1_000;
    for (let start = 0; start < count; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(count, start + batch); i += 1) {
        rows.push(
          confirmed({
            id: crypto.randomUUID(),
            channelId,
            authorId: sample.authorId,
            content: `cached message ${i + 1} of ${count}`,
            seq: i - count,
            createdAt: new Date(oldest + i * 1_000).toISOString(),
            editedAt: null,
            ...emptyMessageExtras(),
          }),
        );
      }
      await replica.messages.bulkPut(rows);
    }
    return {
      channelId,
      total: await replica.messages.where('channelId').equals(channelId).count(),
    };
  } finally {
    replica.close();
  }
}

/** How many messages the replica holds for channel `channelId` (the app may prune; P6 checks it did not). */
export async function count(channelId: string): Promise<number> {
  const replica = createReplica(replicaName);
  try {
    return await replica.messages.where('channelId').equals(channelId).count();
  } finally {
    replica.close();
  }
}
