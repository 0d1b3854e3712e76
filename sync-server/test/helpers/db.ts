import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@echora/testkit';
import { migrate } from '../../src/db/migrate.ts';
import { createPgDb } from '../../src/db/pg.ts';
import { createPgliteDb } from '../../src/db/pglite.ts';
import type { ScriptDb } from '../../src/db/script.ts';

export type DbKind = 'pg' | 'pglite';

/** A database made for one test file; `cleanup` closes it and drops it. */
export interface TestDb {
  db: ScriptDb;
  cleanup(): Promise<void>;
}

/**
 * Creates an empty Postgres database `echora_t_<random>` on the test server.
 * Use it when a test needs several pools on one database; else {@link createTestDb}.
 */
export function createPgTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase('echora_t');
}

/**
 * A fresh database of `kind`: a new Postgres database, or an in-memory PGlite.
 * Migrated unless `migrated` is false.
 */
export async function createTestDb(kind: DbKind, { migrated = true } = {}): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await createPgliteDb();
    if (migrated) await migrate(db);
    return { db, cleanup: () => db.close() };
  }
  const database = await createPgTestDatabase();
  const db = createPgDb({ connectionString: database.url, max: 5 });
  try {
    if (migrated) await migrate(db);
  } catch (error) {
    await db.close();
    await database.drop();
    throw error;
  }
  return {
    db,
    cleanup: async () => {
      await db.close();
      await database.drop();
    },
  };
}

/**
 * Runs `suite` twice, as `<name> [pg]` and `<name> [pglite]`, each against its
 * own fresh, migrated database made before the suite and dropped after.
 * Call `getDb()` inside hooks and tests (not at collection time).
 * Tests in one suite share the database: give rows unique names.
 *
 * @example
 * describeEachDb('channels', (getDb) => {
 *   it('creates one', async () => { await getDb().query('SELECT 1'); });
 * });
 */
export function describeEachDb(
  name: string,
  suite: (getDb: () => ScriptDb, kind: DbKind) => void,
): void {
  for (const kind of ['pg', 'pglite'] as const) {
    describe(`${name} [${kind}]`, () => {
      let testDb: TestDb | undefined;
      beforeAll(async () => {
        testDb = await createTestDb(kind);
      });
      afterAll(async () => {
        await testDb?.cleanup();
      });
      suite(() => {
        if (!testDb) throw new Error('getDb() called before the database was ready');
        return testDb.db;
      }, kind);
    });
  }
}
