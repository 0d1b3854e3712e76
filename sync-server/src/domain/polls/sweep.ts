import type { FastifyInstance } from 'fastify';
import type { Poll } from '@echora/shared';
import { iso } from '../../db/timestamps.ts';
import type { Writer } from '../../write/writer.ts';
import { publishPoll } from './vote.ts';

/** How often each node looks for polls past their end time. */
export const POLL_SWEEP_MS = 5_000;
/** Polls closed per transaction at most; the rest wait for the next round. */
const BATCH = 100;

/**
 * Closes the polls whose end time is at or before `now` (their close time is
 * the end time, not the sweep's) and sends their messages to the channels.
 * Any number of nodes may sweep at once: each locks the poll messages it
 * takes (skipping those another holds, in the order a vote locks them:
 * message, then poll) and closes only what is still open.
 *
 * @returns polls closed.
 */
export function closeDuePolls(writer: Writer, now: Date): Promise<number> {
  return writer.commitAndPublish(async (tx, changes) => {
    const { rows } = await tx.query<{ id: string; poll: Poll }>(
      `SELECT m.id, m.poll FROM messages m JOIN polls p ON p.message_id = m.id
       WHERE p.closed_at IS NULL AND p.ends_at <= $1
       ORDER BY p.ends_at LIMIT $2
       FOR UPDATE OF m SKIP LOCKED`,
      [now, BATCH],
    );
    let closed = 0;
    for (const row of rows) {
      const { rows: updated } = await tx.query<{ ends_at: Date | string }>(
        `UPDATE polls SET closed_at = ends_at
         WHERE message_id = $1 AND closed_at IS NULL RETURNING ends_at`,
        [row.id],
      );
      const endsAt = updated[0]?.ends_at;
      if (endsAt === undefined) continue;
      closed++;
      await publishPoll({ tx, changes }, row.id, { ...row.poll, closedAt: iso(endsAt) });
    }
    return closed;
  });
}

/** Sweeps on `app.writer` when the server is ready and every {@link POLL_SWEEP_MS}. */
export function registerPollSweep(app: FastifyInstance, everyMs = POLL_SWEEP_MS): void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    closeDuePolls(app.writer, new Date())
      .then((closed) => {
        if (closed > 0) app.log.info({ closed }, 'closed polls at their end time');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'poll sweep failed'))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  app.addHook('onReady', (done) => {
    run();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    clearInterval(timer);
    done();
  });
}
