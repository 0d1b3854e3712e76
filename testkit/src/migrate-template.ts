/**
 * `node --import tsx testkit/src/migrate-template.ts pglite <dir>` or
 * `… postgres <url>`: applies the real migrations to an empty PGlite folder or
 * Postgres database, prints `migrated`, exits. Run by {@link ./template.ts}
 * to build the template that test databases are copied from.
 */
import { migrate } from '../../sync-server/src/db/migrate.ts';
import { createPgDb } from '../../sync-server/src/db/pg.ts';
import { createPgliteDb } from '../../sync-server/src/db/pglite.ts';

const [kind, target] = process.argv.slice(2);
if (target === undefined || (kind !== 'pglite' && kind !== 'postgres')) {
  process.stderr.write('usage: migrate-template.ts pglite <dir> | postgres <url>\n');
  process.exit(2);
}
const db =
  kind === 'pglite'
    ? await createPgliteDb(target)
    : createPgDb({ connectionString: target, max: 1 });
try {
  await migrate(db);
} finally {
  await db.close();
}
process.stdout.write('migrated\n');
