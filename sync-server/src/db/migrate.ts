import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import type { ScriptDb } from './script.ts';

/** The repository's `migrations/` folder. */
export const MIGRATIONS_DIR = join(REPO_ROOT, 'migrations');

// Any fixed int8 will do; it only has to be the same on every node.
const LOCK_KEY = '4573656372617401';

const FILE_NAME = /^(\d{4})_[a-z0-9_-]+\.sql$/;

/** The migration files in `dir`, in the order they apply. */
export async function listMigrations(dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => FILE_NAME.test(name));
  return names.sort();
}

/**
 * Applies every migration in `dir` not yet recorded in `schema_migrations`,
 * in file-name order, in one transaction. The transaction first takes an
 * advisory lock, so when several nodes start at once one migrates and the
 * others wait, then find nothing left to do.
 *
 * @returns the names of the files applied by this call.
 */
export async function migrate(db: ScriptDb, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = await listMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    // Created under the lock: two racing CREATE TABLE IF NOT EXISTS can both fail.
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map(
        (row) => row.name,
      ),
    );
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      const sql = await readFile(join(dir, name), 'utf8');
      try {
        await tx.exec(sql);
      } catch (error) {
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    }
    return applied;
  });
}
