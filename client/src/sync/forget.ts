import type { Replica } from './replica.ts';

/**
 * Forgets everything the replica holds (rows, cursors, outbox, session),
 * for a user who was kicked or banned. Answers how many of their messages
 * were discarded unsent: queued sends not yet acknowledged, and failed ones.
 */
export function forgetReplica(r: Replica): Promise<number> {
  return r.transaction('rw', r.tables, async () => {
    const queued = await r.outbox.filter((e) => e.name === 'message.send' && !e.acked).count();
    const failed = await r.messages.filter((m) => m.status === 'failed').count();
    await Promise.all(r.tables.map((t) => t.clear()));
    return queued + failed;
  });
}
