import { join } from 'node:path';
import { createPgDb } from './pg.ts';
import { createPgliteDb } from './pglite.ts';
import type { ScriptDb } from './script.ts';

export type { Db, Queryable, QueryResult, Row, TransactionOptions } from './types.ts';
export type { ScriptDb, ScriptQueryable } from './script.ts';
export { one, maybeOne, many } from './rows.ts';
export { migrate } from './migrate.ts';

/** What {@link createDb} needs from the configuration. */
export interface DbConfig {
  databaseUrl?: string | undefined;
  dataDir: string;
  onIdleError?: (error: Error) => void;
}

/**
 * Postgres through a pool when `databaseUrl` is set, else PGlite kept in
 * `<dataDir>/pglite`, so a fresh install needs no database server.
 */
export function createDb(config: DbConfig): Promise<ScriptDb> {
  if (config.databaseUrl) {
    return Promise.resolve(
      createPgDb({
        connectionString: config.databaseUrl,
        ...(config.onIdleError ? { onIdleError: config.onIdleError } : {}),
      }),
    );
  }
  return createPgliteDb(join(config.dataDir, 'pglite'));
}
