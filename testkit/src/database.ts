import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresTemplate } from './template.ts';

/** The Postgres server tests create their databases on (trust auth, local). */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database of one test file (or one benchmark); `drop` removes it, connections and all. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Options for {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** A copy of the migrated template (see `template.ts`) instead of an empty database. */
  migrated?: boolean;
}

/**
 * Creates a Postgres database `<name>_<random>` on `adminUrl`'s server, empty
 * or already migrated. The random part keeps parallel runs (and other
 * engineers' runs on the same server) apart; a leftover of the same name is
 * dropped first.
 */
export async function createTestDatabase(
  name = 'echora_t',
  adminUrl = TEST_DATABASE_URL,
  { migrated = false }: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(name)) throw new Error(`bad database name prefix: ${name}`);
  const full = `${name}_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const drop = (): Promise<void> => admin(`DROP DATABASE IF EXISTS ${full} WITH (FORCE)`);
  await drop();
  const template = migrated ? ` TEMPLATE ${await postgresTemplate(adminUrl)}` : '';
  await admin(`CREATE DATABASE ${full}${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${full}`;
  return { name: full, url: url.toString(), drop };
}
