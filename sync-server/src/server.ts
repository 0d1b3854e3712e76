import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDb, migrate } from './db/index.ts';
import { withSecrets } from './secrets.ts';

/** How long shutdown waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Loads config, opens and migrates the database, listens; stops cleanly on a signal. */
async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const log = pino({ level: loaded.logLevel });
  const config = await withSecrets(loaded, (message) => log.warn(message));
  const db = await createDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: (error) => log.error({ err: error }, 'idle database connection failed'),
  });
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
  if (config.registration) {
    await db.query('UPDATE community SET registration = $1 WHERE id = 1', [config.registration]);
  }
  const app = await buildApp({ config, db, logger: log });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // In-flight requests get a grace period; a stalled download or upload
    // must not hold the process until Node's request timeout.
    const grace = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    grace.unref();
    try {
      await app.close();
      await db.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));

  // Fastify logs "Server listening at http://HOST:PORT"; test harnesses read it.
  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  process.stderr.write(`Echora failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
