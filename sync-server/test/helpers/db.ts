import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { copyPgliteTemplate, createTestDatabase, type TestDatabase } from '@echora/testkit';
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
 * Creates a Postgres database `echora_t_<random>` on the test server, empty
 * unless `migrated` (a copy of the migrated template).
 * Use it when a test needs several pools on one database; else {@link createTestDb}.
 */
export function createPgTestDatabase({ migrated = false } = {}): Promise<TestDatabase> {
  return createTestDatabase('echora_t', undefined, { migrated });
}

/**
 * A fresh database of `kind`: a new Postgres database, or a PGlite in a
 * temporary folder. Migrated (a copy of the template migrated once per run,
 * see testkit's `template.ts`) unless `migrated` is false: then empty, and
 * in memory for PGlite.
 */
export async function createTestDb(kind: DbKind, { migrated = true } = {}): Promise<TestDb> {
  if (kind === 'pglite') {
    if (!migrated) {
      const db = await createPgliteDb();
      return { db, cleanup: () => db.close() };
    }
    const dir = await mkdtemp(join(tmpdir(), 'echora-pglite-'));
    const db = await copyPgliteTemplate(dir).then(() => createPgliteDb(dir));
    return {
      db,
      cleanup: async () => {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createPgTestDatabase({ migrated });
  const db = createPgDb({ connectionString: database.url, max: 5 });
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
