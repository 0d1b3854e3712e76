/**
 * `npm run admin -- <command>`: the operator's way back in (reset a password,
 * promote an owner, list or end sessions, rotate the secrets). Reads the same
 * environment as the server (DATABASE_URL, else PGlite in DATA_DIR). PGlite
 * allows one process: stop the server first.
 */
import { text } from 'node:stream/consumers';
import { runAdmin } from './admin/commands.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDb, migrate } from './db/index.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    return await runAdmin(process.argv.slice(2), {
      db,
      dataDir: config.dataDir,
      secretsFromEnv: (['JWT_SECRET', 'VOICE_GRANT_SECRET'] as const).filter((name) =>
        process.env[name]?.trim(),
      ),
      out: (line) => process.stdout.write(`${line}\n`),
      readPassword: async () => {
        if (process.stdin.isTTY) return undefined;
        const piped = (await text(process.stdin)).replace(/\r?\n$/, '');
        return piped === '' ? undefined : piped;
      },
    });
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`admin: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
