import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MIGRATIONS_DIR, migrate } from '../db/migrate.ts';
import type { Queryable } from '../db/types.ts';
import type { ScriptDb } from '../db/script.ts';
import type { BackupMeta } from './dump.ts';
import { ident } from './tables.ts';

/** Rows inserted per statement while restoring. */
const BATCH = 1000;

/** A restore the target refuses; its message is the one line printed. */
export class RestoreError extends Error {}

/** Migrates `db` to exactly the backup's schema (the migrations it had applied). */
async function migrateTo(db: ScriptDb, migrations: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'echora-restore-migrations-'));
  try {
    for (const name of migrations) {
      await copyFile(join(MIGRATIONS_DIR, name), join(dir, name)).catch(() => {
        throw new RestoreError(
          `The backup needs migration ${name}, which this version does not have: restore it with the version that made it, or newer`,
        );
      });
    }
    await migrate(db, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function insertBatch(tx: Queryable, table: BackupMeta['tables'][number], rows: string[]) {
  const columns = table.columns.map(ident).join(', ');
  await tx.query(
    `INSERT INTO ${ident(table.name)} (${columns}) OVERRIDING SYSTEM VALUE
     SELECT ${columns} FROM json_populate_recordset(NULL::${ident(table.name)}, $1::json)`,
    [`[${rows.join(',')}]`],
  );
}

/**
 * Loads a dump made by `dumpDatabase` (from `dir`) into `db`, which must hold
 * no community yet (a fresh database or data folder): the schema is built
 * to the backup's migrations, the rows go in, sequences move past them, and
 * the remaining migrations of this version then upgrade it as usual.
 */
export async function loadDatabase(db: ScriptDb, dir: string, meta: BackupMeta): Promise<void> {
  const applied = await db
    .query<{ name: string }>('SELECT name FROM schema_migrations')
    .then((result) => result.rows.map((row) => row.name))
    .catch(() => []);
  if (applied.some((name) => !meta.migrations.includes(name))) {
    throw new RestoreError(
      'The target database has a newer schema than the backup: restore into a fresh database or data folder',
    );
  }
  await migrateTo(db, meta.migrations);
  const users = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
  if ((users.rows[0]?.count ?? 0) > 0) {
    throw new RestoreError(
      'The target database already has users: restore into a fresh database or data folder',
    );
  }
  await db.transaction(async (tx) => {
    // Migrations seed rows (the community, default roles): the backup's replace them.
    await tx.query(`TRUNCATE ${meta.tables.map((table) => ident(table.name)).join(', ')}`);
    // The rows are a consistent snapshot, but tables point at each other in
    // cycles (threads and messages, avatars and users): load them as a
    // replica does, without firing key checks or triggers.
    try {
      await tx.query('SET LOCAL session_replication_role = replica');
    } catch (error) {
      throw new RestoreError(
        `Restore needs a database superuser (to load rows without key checks): ${(error as Error).message}`,
      );
    }
    for (const table of meta.tables) {
      const lines = createInterface({
        input: createReadStream(join(dir, 'db', `${table.name}.jsonl`)),
        crlfDelay: Infinity,
      });
      let batch: string[] = [];
      for await (const line of lines) {
        if (!line) continue;
        batch.push(line);
        if (batch.length >= BATCH) {
          await insertBatch(tx, table, batch);
          batch = [];
        }
      }
      if (batch.length > 0) await insertBatch(tx, table, batch);
      // Serial columns continue after the restored ids.
      const serials = await tx.query<{ column: string; sequence: string }>(
        `SELECT a.attname AS column, pg_get_serial_sequence($1, a.attname) AS sequence
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0
           AND NOT a.attisdropped AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`,
        [ident(table.name)],
      );
      for (const { column, sequence } of serials.rows) {
        await tx.query(
          `SELECT setval($1, coalesce((SELECT max(${ident(column)}) FROM ${ident(table.name)}), 0) + 1, false)`,
          [sequence],
        );
      }
    }
  });
  await migrate(db);
}
