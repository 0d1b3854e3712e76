import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { Mutex } from './mutex.ts';
import type { ScriptDb, ScriptQueryable } from './script.ts';
import type { QueryResult, Row } from './types.ts';

function wrap(target: PGlite | Transaction): ScriptQueryable {
  return {
    async query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
      const result = await target.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 } satisfies QueryResult<R>;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * A Db on an embedded PGlite, kept in `dataDir`, or in memory without one.
 *
 * PGlite is a single connection: a transaction and a query issued beside it
 * would interleave on it. So every transaction and every plain query waits
 * its turn in one queue; a second transaction starts after the first ends.
 */
export async function createPgliteDb(dataDir?: string): Promise<ScriptDb> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const queue = new Mutex();
  const direct = wrap(pglite);
  // Marks async work started inside a transaction callback, to catch the
  // deadlock of calling db.query there instead of tx.query.
  const insideTx = new AsyncLocalStorage<{ active: boolean }>();
  const refuseNested = (what: string) => {
    if (insideTx.getStore()?.active) {
      throw new Error(`${what} called inside a PGlite transaction would deadlock; use its tx`);
    }
  };
  return {
    kind: 'pglite',
    query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
      refuseNested('db.query');
      return queue.run(() => direct.query<R>(sql, params));
    },
    transaction<T>(fn: (tx: ScriptQueryable) => Promise<T>): Promise<T> {
      refuseNested('db.transaction');
      return queue.run(() => {
        const marker = { active: true };
        return insideTx
          .run(marker, () => pglite.transaction((tx) => fn(wrap(tx))))
          .finally(() => {
            marker.active = false;
          });
      });
    },
    close: () => queue.run(() => pglite.close()),
  };
}
