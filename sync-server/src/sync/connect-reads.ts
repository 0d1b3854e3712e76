import DataLoader from 'dataloader';
import type { Queryable } from '../db/types.ts';

/**
 * The reads every connecting socket makes of its own (its client's next
 * mutation number, the version of each scope it catches up), gathered per
 * turn of the event loop into one query each: a thousand sockets
 * reconnecting at once make a few statements, not thousands. Nothing is
 * cached: a read asked for after a batch started goes in the next batch, so
 * every answer is as new as the database was after it was asked for, as a
 * query of its own would be. A failed batch fails its callers only; the next
 * call makes a new query.
 */
export class ConnectReads {
  readonly #versions: DataLoader<string, number>;
  readonly #nextSeqs: DataLoader<string, number | null, string>;

  constructor(db: Queryable) {
    const options = {
      cache: false,
      // Everything asked for in this turn of the loop (the socket frames read in one poll).
      batchScheduleFn: (run: () => void) => setImmediate(run),
      maxBatchSize: 1000,
    } as const;
    this.#versions = new DataLoader(async (scopes) => {
      const { rows } = await db.query<{ scope: string; version: number | string }>(
        'SELECT scope, version FROM scopes WHERE scope = ANY($1::text[])',
        [[...new Set(scopes)]],
      );
      const found = new Map(rows.map((r) => [r.scope, Number(r.version)]));
      return scopes.map((s) => found.get(s) ?? 0);
    }, options);
    this.#nextSeqs = new DataLoader(async (keys) => {
      const unique = [...new Set(keys)];
      const pairs = unique.map(splitKey);
      const { rows } = await db.query<{
        client_id: string;
        user_id: string;
        max: number | string | null;
        foreign: boolean | null;
      }>(
        `SELECT k.client_id::text AS client_id, k.user_id::text AS user_id,
                max(m.seq) AS max, bool_or(m.user_id <> k.user_id) AS foreign
         FROM unnest($1::uuid[], $2::uuid[]) AS k(client_id, user_id)
         LEFT JOIN client_mutations m ON m.client_id = k.client_id
         GROUP BY k.client_id, k.user_id`,
        [pairs.map((p) => p.clientId), pairs.map((p) => p.userId)],
      );
      const found = new Map(
        rows.map((r) => [
          seqKey(r.client_id, r.user_id),
          r.foreign ? null : Number(r.max ?? 0) + 1,
        ]),
      );
      return keys.map((k) => {
        const next = found.get(k);
        return next === undefined ? new Error(`no answer for client ${k}`) : next;
      });
    }, options);
  }

  /** The scope's current version (0 for a scope never written). */
  version(scope: string): Promise<number> {
    return this.#versions.load(scope);
  }

  /**
   * The next seq a client should send: one past the last recorded, or null
   * when the client id's records belong to another account. Ids are the
   * client's to choose, so ownership is checked here: a member who learned
   * someone else's client id must not read its recorded answers or take its
   * sequence numbers (which would turn that person's next sends into replays).
   */
  nextSeq(clientId: string, userId: string): Promise<number | null> {
    return this.#nextSeqs.load(seqKey(clientId, userId));
  }
}

// Postgres prints uuids in lower case: keys must match what comes back.
const seqKey = (clientId: string, userId: string): string =>
  `${clientId.toLowerCase()} ${userId.toLowerCase()}`;

function splitKey(key: string): { clientId: string; userId: string } {
  const [clientId = '', userId = ''] = key.split(' ');
  return { clientId, userId };
}

/** Per database (tests run several in one process). */
const byDb = new WeakMap<object, ConnectReads>();

/** The batcher of `db`'s connect reads, made on first use. */
export function connectReads(db: Queryable): ConnectReads {
  let reads = byDb.get(db);
  if (!reads) {
    reads = new ConnectReads(db);
    byDb.set(db, reads);
  }
  return reads;
}
