/**
 * `npm run backup -- <file>` / `npm run restore -- <file>`: the database
 * (Postgres with DATABASE_URL, else PGlite in DATA_DIR) and the local upload
 * storage in one .tar.gz. Reads the same environment as the server. PGlite
 * allows one process: stop the server first. Restore wants a fresh database
 * or data folder.
 */
import { createBackup, restoreBackup } from './backup/archive.ts';
import { RestoreError } from './backup/load.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDb } from './db/index.ts';

const USAGE = 'Usage: npm run backup -- <file.tar.gz>  |  npm run restore -- <file.tar.gz>';

async function main(): Promise<number> {
  const [mode, file, ...rest] = process.argv.slice(2);
  if ((mode !== 'backup' && mode !== 'restore') || !file || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const uploadsDir = config.storage.backend === 'local' ? config.storage.path : undefined;
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const started = Date.now();
    const meta =
      mode === 'backup'
        ? await createBackup(db, uploadsDir, file)
        : await restoreBackup(db, uploadsDir, file);
    const rows = meta.tables.reduce((sum, table) => sum + table.rows, 0);
    const files = meta.uploads ? ' and the uploaded files' : '';
    process.stdout.write(
      `${mode === 'backup' ? 'Backed up' : 'Restored'} ${rows} rows in ${meta.tables.length} tables${files} ` +
        `${mode === 'backup' ? 'to' : 'from'} ${file} in ${Date.now() - started} ms.\n`,
    );
    if (!uploadsDir)
      process.stdout.write('Files in S3 are not in the backup: back up the bucket.\n');
    return 0;
  } catch (error) {
    if (!(error instanceof RestoreError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
