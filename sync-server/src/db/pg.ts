import pg from 'pg';
import type { PoolClient } from 'pg';
import type { ScriptDb, ScriptQueryable } from './script.ts';
import type { QueryResult, Row, TransactionOptions } from './types.ts';
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
  /** Pool size; 10 by default. Pipelined transactions have a pool of their own, as large. */
  max?: number;
  /** Called when an idle client fails (the pool drops it; the process keeps running). */
  onIdleError?: (error: Error) => void;
}

/** Prepared statements a pipelined connection keeps at most (group commit runs a few dozen texts). */
const PREPARED_PER_CONNECTION = 100;
/** Per pipelined connection: the name of each statement text prepared on it. */
const preparedOn = new WeakMap<PoolClient, Map<string, string>>();

/**
 * The statement name for `sql` on `client`: parsed and planned once per
 * connection rather than at every batch (a set write's plan alone took ~2 ms).
 * Past the cap, statements run unnamed.
 */
function preparedName(client: PoolClient, sql: string): string | undefined {
  let names = preparedOn.get(client);
  if (!names) preparedOn.set(client, (names = new Map<string, string>()));
  let name = names.get(sql);
  if (name === undefined && names.size < PREPARED_PER_CONNECTION) {
    name = `echora_${names.size}`;
    names.set(sql, name);
  }
  return name;
}

function wrap(client: pg.Pool | PoolClient, prepare = false): ScriptQueryable {
  return {
    async query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
      const values = params ? [...params] : undefined;
      const name = prepare && values ? preparedName(client as PoolClient, sql) : undefined;
      const result =
        name === undefined || values === undefined
          ? await client.query<R>(sql, values)
          : await client.query<R>({ name, text: sql, values });
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
  const newPool = (pipeline: boolean) => {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      types,
      ...(pipeline ? { pipeline: true } : {}),
    });
    // An idle client losing its server must not crash the process.
    pool.on('error', (error) => options.onIdleError?.(error));
    return pool;
  };
  const pool = newPool(false);
  // Opened on first use: only group commit pipelines, one connection per lane.
  let pipelined: pg.Pool | undefined;
  const direct = wrap(pool);
  const unwatch = watchPool(() => ({
    total: pool.totalCount + (pipelined?.totalCount ?? 0),
    idle: pool.idleCount + (pipelined?.idleCount ?? 0),
    waiting: pool.waitingCount + (pipelined?.waitingCount ?? 0),
  }));
  return {
    kind: 'pg',
    query: (sql, params) => direct.query(sql, params),
    async transaction<T>(
      fn: (tx: ScriptQueryable) => Promise<T>,
      { pipeline = false }: TransactionOptions = {},
    ): Promise<T> {
      const client = await (pipeline ? (pipelined ??= newPool(true)) : pool).connect();
      let broken: Error | undefined;
      // A checked-out client has no pool listener: the server ending the
      // connection between two queries (a restart) would be an unhandled
      // 'error' event and kill the process. Note it; the next query fails.
      const onError = (error: Error) => (broken = error);
      client.on('error', onError);
      try {
        const begin = client.query('BEGIN');
        // Pipelined, the first statements follow BEGIN without waiting for its answer.
        if (pipeline) begin.catch(() => undefined);
        else await begin;
        // Pipelined connections serve only group commit: its statements are prepared.
        const result = await fn(wrap(client, pipeline));
        await begin;
        const commit = await client.query('COMMIT');
        // COMMIT of a transaction a statement aborted rolls it back, without an error.
        if (commit.command === 'ROLLBACK') throw new TransactionAborted();
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
    close: async () => {
      unwatch();
      await Promise.all([pool.end(), pipelined?.end()]);
    },
  };
}

/** A transaction's COMMIT rolled back: one of its statements had failed unnoticed. */
export class TransactionAborted extends Error {
  constructor() {
    super('COMMIT rolled the transaction back: one of its statements failed');
    this.name = 'TransactionAborted';
  }
}
