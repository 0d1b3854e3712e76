import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPgliteDb } from '../../sync-server/src/db/pglite.ts';
import { createTestDatabase } from './database.ts';
import { repoRoot } from './process.ts';
import { copyPgliteTemplate, templateKey } from './template.ts';

async function migrationNames(): Promise<string[]> {
  const names = await readdir(join(repoRoot, 'migrations'));
  return names.filter((name) => /^\d{4}_.*\.sql$/.test(name)).sort();
}

describe('migrated templates', () => {
  it('are named by 16 hex digits of the migrations', async () => {
    expect(await templateKey()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a migrated Postgres test database holds every migration', async () => {
    const database = await createTestDatabase('echora_testkit', undefined, { migrated: true });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        'SELECT name FROM schema_migrations ORDER BY name',
      );
      expect(rows.map((row) => row.name)).toEqual(await migrationNames());
    } finally {
      await client.end();
      await database.drop();
    }
  });

  it('a copied PGlite folder holds every migration, and writes to it stay in the copy', async () => {
    const [first, second] = [
      await mkdtemp(join(tmpdir(), 'echora-tpl-test-')),
      await mkdtemp(join(tmpdir(), 'echora-tpl-test-')),
    ];
    try {
      await copyPgliteTemplate(first);
      await copyPgliteTemplate(second);
      const db = await createPgliteDb(first);
      const names = await db.query<{ name: string }>(
        'SELECT name FROM schema_migrations ORDER BY name',
      );
      expect(names.rows.map((row) => row.name)).toEqual(await migrationNames());
      await db.query("INSERT INTO schema_migrations (name) VALUES ('9999_only_here.sql')");
      await db.close();
      const other = await createPgliteDb(second);
      const count = await other.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM schema_migrations WHERE name = '9999_only_here.sql'",
      );
      expect(count.rows).toEqual([{ n: 0 }]);
      await other.close();
    } finally {
      await rm(first, { recursive: true, force: true });
      await rm(second, { recursive: true, force: true });
    }
  });
});
