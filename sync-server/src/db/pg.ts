import pg from 'pg';
import type { PoolClient } from 'pg';
import type { ScriptDb, ScriptQueryable } from './script.ts';
import type { QueryResult, Row } from './types.ts';
import { watchPool } from '../metrics/registry.ts';

// int8 comes back as a JS number, as PGlite does, so versions and counts have
// one type on both implementations. Scope versions stay far below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format ?? 'text') as (
          value: string,
        ) => unknown)) as typeof pg.types.getTypeParser,
};

/** Options for {@link createPgDb}. */
export interface PgDbOptions {
  connectionString: string;
  /** Pool size; 10 by default. */
  max?: number;
  /** Called when an idle client fails (the pool drops it; the process keeps running). */
  onIdleError?: (error: Error) => void;
}

function wrap(client: pg.Pool | PoolClient): ScriptQueryable {
  return {
    async query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
      const result = await client.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 } satisfies QueryResult<R>;
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple protocol, which accepts many statements.
      await client.query(sql);
    },
  };
}

/** A Db on a `pg` connection pool. */
export function createPgDb(options: PgDbOptions): ScriptDb {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    types,
  });
  // An idle client losing its server must not crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  const direct = wrap(pool);
  const unwatch = watchPool(() => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  }));
  return {
    kind: 'pg',
    query: (sql, params) => direct.query(sql, params),
    async transaction<T>(fn: (tx: ScriptQueryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client has no pool listener: the server ending the
      // connection between two queries (a restart) would be an unhandled
      // 'error' event and kill the process. Note it; the next query fails.
      const onError = (error: Error) => (broken = error);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back is not returned to the pool.
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => {
      unwatch();
      return pool.end();
    },
  };
}
