/**
 * The one door to the database. Two implementations share it and one test
 * suite: `pg` (a pool, when DATABASE_URL is set) and PGlite (embedded, in
 * DATA_DIR). Same SQL, same migrations.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for SELECT on PGlite). */
  rowCount: number;
}

export interface Queryable {
  /** Runs one statement with `$1`-style parameters. */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** How {@link Db.transaction} runs its statements. */
export interface TransactionOptions {
  /**
   * Send each statement without waiting for the answers to those before it
   * (Postgres pipeline mode, on connections kept for it), for a caller that
   * issues independent statements together and awaits them after: one round
   * trip for all. Answers still come in order; a failing statement aborts the
   * transaction, so those behind it fail too. Not for cursors or COPY. PGlite
   * runs them one after another.
   */
  pipeline?: boolean;
}

export interface Db extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /**
   * Runs `fn` in one transaction on one connection: COMMIT when it resolves,
   * ROLLBACK when it throws (the error is rethrown).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}
