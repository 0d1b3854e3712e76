import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot, startProcess } from './process.ts';

/**
 * Test databases start as copies of one database migrated once, not migrated
 * each: PGlite's `initdb` plus the migrations take seconds per database, a
 * copy a fraction of that. The template is named by a hash of `migrations/`
 * (and of the PGlite version, for its folder), so a changed migration builds
 * a new one. The migrations themselves still run from empty: in building each
 * template, and in `sync-server/src/db/migrate.pg.test.ts` on both databases.
 */

const MIGRATIONS_DIR = join(repoRoot, 'migrations');
const BUILD_SCRIPT = 'testkit/src/migrate-template.ts';

let hashOnce: Promise<string> | undefined;

/** 16 hex digits naming the migrations (file names and contents) and the PGlite version. */
export function templateKey(): Promise<string> {
  hashOnce ??= (async () => {
    const hash = createHash('sha256');
    const names = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort();
    for (const name of names) {
      hash.update(`${name}\0`);
      hash.update(await readFile(join(MIGRATIONS_DIR, name)));
      hash.update('\0');
    }
    const pglite = JSON.parse(
      await readFile(join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
    ) as { version: string };
    hash.update(`pglite ${pglite.version}`);
    return hash.digest('hex').slice(0, 16);
  })();
  return hashOnce;
}

async function runBuild(kind: 'pglite' | 'postgres', target: string): Promise<void> {
  const build = await startProcess({
    name: `migrate-template ${kind}`,
    args: ['--import', 'tsx', BUILD_SCRIPT, kind, target],
    ready: /^migrated$/,
  });
  await build.exited;
}

let pgliteOnce: Promise<string> | undefined;

/**
 * A migrated PGlite folder shared by every test of this checkout's
 * migrations (in the temporary folder, kept between runs). Copy it with
 * {@link copyPgliteTemplate}; never open it.
 */
export function pgliteTemplate(): Promise<string> {
  pgliteOnce ??= (async () => {
    const dir = join(tmpdir(), `echora-pglite-template-${await templateKey()}`);
    if (await exists(join(dir, 'PG_VERSION'))) return dir;
    // Built aside, then renamed: a folder under the final name is always complete.
    const building = `${dir}.building-${randomBytes(6).toString('hex')}`;
    try {
      await runBuild('pglite', building);
      await rename(building, dir);
    } catch (error) {
      await rm(building, { recursive: true, force: true });
      // Another process finished the same template first.
      if (!(await exists(join(dir, 'PG_VERSION')))) throw error;
    }
    return dir;
  })();
  pgliteOnce.catch(() => {
    pgliteOnce = undefined;
  });
  return pgliteOnce;
}

/** Copies the migrated PGlite template to `dir` (created; it must not hold a database yet). */
export async function copyPgliteTemplate(dir: string): Promise<void> {
  const template = await pgliteTemplate();
  await mkdir(dir, { recursive: true });
  await cp(template, dir, { recursive: true });
}

const postgresOnce = new Map<string, Promise<string>>();

/**
 * The name of a migrated Postgres template database on `adminUrl`'s server,
 * built once (under an advisory lock, so parallel workers and other checkouts
 * build it once) and marked `IS_TEMPLATE` when complete.
 */
export function postgresTemplate(adminUrl: string): Promise<string> {
  let once = postgresOnce.get(adminUrl);
  if (once === undefined) {
    once = buildPostgresTemplate(adminUrl);
    once.catch(() => postgresOnce.delete(adminUrl));
    postgresOnce.set(adminUrl, once);
  }
  return once;
}

async function buildPostgresTemplate(adminUrl: string): Promise<string> {
  const name = `echora_tpl_${await templateKey()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const ready = async (): Promise<boolean> => {
    const { rows } = await admin.query<{ ready: boolean }>(
      'SELECT datistemplate AS ready FROM pg_database WHERE datname = $1',
      [name],
    );
    return rows[0]?.ready === true;
  };
  try {
    if (await ready()) return name;
    // Any fixed int8; only template builders take it.
    await admin.query('SELECT pg_advisory_lock(4573656372617402)');
    try {
      if (await ready()) return name;
      // A leftover of a build that died half-way.
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      await runBuild('postgres', url.toString());
      await admin.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(4573656372617402)');
    }
    return name;
  } finally {
    await admin.end();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
