import type { FastifyInstance } from 'fastify';
import { Limits } from '@echora/shared';
import type { Queryable } from '../db/types.ts';

/** How often each node prunes. Several nodes pruning at once is harmless. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Rows per statement, so one prune never holds locks on a huge set. */
const BATCH = 10_000;

/**
 * Forgets the recorded answers of mutations older than `cutoff`, except each
 * client's latest: `nextSeq` and the replay check derive the expected seq
 * from a client's highest record, and a replay of a forgotten seq below it is
 * acked without being applied again. A client offline longer than the window
 * that resends an old refused mutation gets an ack instead of the refusal;
 * its outbox holds only mutations sent after its last ack, so that is rare.
 *
 * @returns rows deleted.
 */
export async function pruneMutations(db: Queryable, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM client_mutations d USING (
         SELECT m.client_id, m.seq FROM client_mutations m
         WHERE m.created_at < $1
           AND m.seq < (SELECT max(x.seq) FROM client_mutations x WHERE x.client_id = m.client_id)
         LIMIT $2
       ) old
       WHERE d.client_id = old.client_id AND d.seq = old.seq`,
      [cutoff, BATCH],
    );
    total += rowCount;
    if (rowCount < BATCH) return total;
  }
}

/**
 * Forgets `POST /api/mutations` Idempotency-Keys first used before `cutoff`,
 * with the mutation record each one named (its own client id, used by no
 * socket). After that a request with the same key is a new request: it is
 * applied again unless the mutation itself recognises the resend (a message
 * id that exists already).
 *
 * @returns keys deleted.
 */
export async function pruneIdempotencyKeys(db: Queryable, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await db.query<{ n: number | string }>(
      `WITH old AS (
         DELETE FROM api_idempotency d USING (
           SELECT user_id, key FROM api_idempotency WHERE created_at < $1 LIMIT $2
         ) o
         WHERE d.user_id = o.user_id AND d.key = o.key
         RETURNING d.client_id
       ), records AS (
         DELETE FROM client_mutations m USING old WHERE m.client_id = old.client_id RETURNING 1
       )
       SELECT (SELECT count(*) FROM old) AS n, (SELECT count(*) FROM records) AS r`,
      [cutoff, BATCH],
    );
    const deleted = Number(rows[0]?.n ?? 0);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/**
 * Drops feed rows no catch-up can replay any more: a cursor more than
 * `keep` versions behind its scope gets a reset (a snapshot from the tables),
 * never a replay, so only the last `keep` versions of each scope are read.
 *
 * @returns rows deleted.
 */
export async function pruneFeed(db: Queryable, keep = Limits.replayLimit): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM feed d USING (
         SELECT f.scope, f.version FROM feed f JOIN scopes s ON s.scope = f.scope
         WHERE f.version <= s.version - $1
         LIMIT $2
       ) old
       WHERE d.scope = old.scope AND d.version = old.version`,
      [keep, BATCH],
    );
    total += rowCount;
    if (rowCount < BATCH) return total;
  }
}

/**
 * Prunes, now and every hour, on `app.db`: mutation records and HTTP
 * Idempotency-Keys older than `maxAgeDays`, and the feed.
 */
export function registerRetention(app: FastifyInstance, maxAgeDays: number): void {
  const prune = async () => {
    const cutoff = new Date(Date.now() - maxAgeDays * 24 * 60 * 60 * 1000);
    const mutations = await pruneMutations(app.db, cutoff);
    const idempotencyKeys = await pruneIdempotencyKeys(app.db, cutoff);
    const feed = await pruneFeed(app.db);
    if (mutations + idempotencyKeys + feed > 0) {
      app.log.info({ mutations, idempotencyKeys, feed }, 'pruned sync history');
    }
  };
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    prune()
      .catch((err: unknown) => app.log.warn({ err }, 'sync history prune failed'))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(run, PRUNE_EVERY_MS);
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
