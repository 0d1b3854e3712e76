import { Dexie } from 'dexie';
import { PENDING_SORT_BASE, type Replica } from './replica.ts';

/**
 * Forgets everything the replica holds (rows, cursors, outbox, session),
 * for a user who was kicked or banned. Answers how many of their messages
 * were discarded unsent: queued sends not yet acknowledged, and failed ones.
 */
export function forgetReplica(r: Replica): Promise<number> {
  return r.transaction('rw', r.tables, async () => {
    const queued = await r.outbox.filter((e) => e.name === 'message.send' && !e.acked).count();
    const failed = await countFailed(r);
    await Promise.all(r.tables.map((t) => t.clear()));
    return queued + failed;
  });
}

/**
 * Failed sends never got a server row, so they keep their pending sort key:
 * only each channel's tail past `PENDING_SORT_BASE` is read, not every held
 * message (a replica can hold thousands, and the removed screen waits).
 */
async function countFailed(r: Replica): Promise<number> {
  const channelIds = (await r.messages.orderBy('channelId').uniqueKeys()) as string[];
  let failed = 0;
  for (const channelId of channelIds) {
    failed += await r.messages
      .where('[channelId+sortKey]')
      .between([channelId, PENDING_SORT_BASE], [channelId, Dexie.maxKey], true, true)
      .filter((m) => m.status === 'failed')
      .count();
  }
  return failed;
}
