import type { Db, Queryable, TransactionOptions } from './types.ts';

/**
 * A connection that can also run a multi-statement SQL script (a migration
 * file). Kept apart from `Queryable` because only the migrator needs it, and
 * PGlite runs scripts through a different call than parameterised queries.
 */
export interface ScriptQueryable extends Queryable {
  /** Runs every statement of `sql` in order; no parameters. */
  exec(sql: string): Promise<void>;
}

/** The Db our implementations return: its transactions can run scripts too. */
export interface ScriptDb extends Db {
  transaction<T>(fn: (tx: ScriptQueryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
