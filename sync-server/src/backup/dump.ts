import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Db } from '../db/types.ts';
import { ident, listTables } from './tables.ts';

/** Rows read per query while dumping. */
const PAGE = 1000;

/** What `meta.json` in a backup says. */
export interface BackupMeta {
  format: 'echora-backup';
  version: 1;
  createdAt: string;
  /** Migrations the dumped database had applied; restore rebuilds exactly this schema. */
  migrations: string[];
  /** In insert order (parents first), with their row counts. */
  tables: { name: string; columns: string[]; rows: number }[];
  /** Whether `uploads/` holds the local file storage. */
  uploads: boolean;
}

/**
 * Writes every table of `db` as JSON lines (`db/<table>.jsonl`, one
 * `row_to_json` per line) into `dir` and answers what `meta.json` will say, from one snapshot
 * (REPEATABLE READ): a Postgres in use dumps consistently. Rows as JSON,
 * not a copy of the data files, so the format is the same for both engines.
 */
export async function dumpDatabase(db: Db, dir: string): Promise<BackupMeta> {
  await mkdir(join(dir, 'db'), { recursive: true });
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = (
      await tx.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')
    ).rows.map((row) => row.name);
    const tables: BackupMeta['tables'] = [];
    for (const table of await listTables(tx)) {
      const out = createWriteStream(join(dir, 'db', `${table.name}.jsonl`));
      let rows = 0;
      // Keyset paging on the row's physical address: stable within the snapshot.
      let after = '(0,0)';
      for (;;) {
        const page = await tx.query<{ at: string; row: string }>(
          `SELECT ctid::text AS at, row_to_json(t)::text AS row FROM ${ident(table.name)} t
           WHERE ctid > $1::tid ORDER BY ctid LIMIT ${PAGE}`,
          [after],
        );
        for (const { row } of page.rows) {
          if (!out.write(`${row}\n`)) await once(out, 'drain');
        }
        rows += page.rows.length;
        const last = page.rows.at(-1);
        if (!last || page.rows.length < PAGE) break;
        after = last.at;
      }
      out.end();
      await finished(out);
      tables.push({ ...table, rows });
    }
    return {
      format: 'echora-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      migrations,
      tables,
      uploads: false,
    };
  });
}
