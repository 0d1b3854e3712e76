import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestDatabase, createTestDb } from '../../test/helpers/db.ts';
import { listMigrations, migrate } from './migrate.ts';
import { createPgDb } from './pg.ts';
import { createPgliteDb } from './pglite.ts';
import type { ScriptDb } from './script.ts';

let dir: string;

beforeAll(async () => {
  // A migration that fails if applied twice, so a race would show.
  dir = await mkdtemp(join(tmpdir(), 'echora-migrations-'));
  await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE a (id int); INSERT INTO a VALUES (1);');
  await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE b (id int);');
  await writeFile(join(dir, 'README.md'), 'not a migration');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectAppliedOnce(db: ScriptDb, results: string[][]) {
  expect(results.flat().sort()).toEqual(['0001_a.sql', '0002_b.sql']);
  const rows = await db.query('SELECT name FROM schema_migrations ORDER BY name');
  expect(rows.rows).toEqual([{ name: '0001_a.sql' }, { name: '0002_b.sql' }]);
  expect((await db.query('SELECT count(*) AS n FROM a')).rows).toEqual([{ n: 1 }]);
}

describe('migrate', () => {
  it('lists only NNNN_name.sql files, in order', async () => {
    expect(await listMigrations(dir)).toEqual(['0001_a.sql', '0002_b.sql']);
    const real = await listMigrations();
    expect(real[0]).toBe('0001_auth.sql');
  });

  // Other tests copy a template migrated once per run; these apply the real
  // migrations to an empty database, as a fresh install does.
  for (const kind of ['pg', 'pglite'] as const) {
    it(`[${kind}] the real migrations apply to an empty database, then find nothing to do`, async () => {
      const testDb = await createTestDb(kind, { migrated: false });
      const { db } = testDb;
      try {
        const all = await listMigrations();
        expect(await migrate(db)).toEqual(all);
        expect(await migrate(db)).toEqual([]);
        const rows = await db.query<{ name: string }>(
          'SELECT name FROM schema_migrations ORDER BY name',
        );
        expect(rows.rows.map((row) => row.name)).toEqual(all);
      } finally {
        await testDb.cleanup();
      }
    });
  }

  it('[pg] two nodes migrating one fresh database at once apply each file once', async () => {
    const database = await createPgTestDatabase();
    const first = createPgDb({ connectionString: database.url, max: 2 });
    const second = createPgDb({ connectionString: database.url, max: 2 });
    try {
      const results = await Promise.all([migrate(first, dir), migrate(second, dir)]);
      await expectAppliedOnce(first, results);
      expect(await migrate(second, dir)).toEqual([]);
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  });

  it('[pglite] two migrators on one instance apply each file once', async () => {
    const db = await createPgliteDb();
    try {
      const results = await Promise.all([migrate(db, dir), migrate(db, dir)]);
      await expectAppliedOnce(db, results);
    } finally {
      await db.close();
    }
  });

  it('[pglite] a failing migration leaves nothing behind and names the file', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'echora-migrations-'));
    await writeFile(join(bad, '0001_ok.sql'), 'CREATE TABLE ok (id int);');
    await writeFile(join(bad, '0002_bad.sql'), 'CREATE TABLE broken (id nosuchtype);');
    const db = await createPgliteDb();
    try {
      await expect(migrate(db, bad)).rejects.toThrow(/0002_bad\.sql/);
      const tables = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'ok'");
      expect(tables.rows).toEqual([]);
    } finally {
      await db.close();
      await rm(bad, { recursive: true, force: true });
    }
  });
});
