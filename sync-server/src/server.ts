import { setTimeout as delay } from 'node:timers/promises';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createDb, migrate } from './db/index.ts';
import { createLogger } from './logger.ts';
import { startMetricsServer } from './metrics/routes.ts';
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
  const log = createLogger(loaded.logLevel);
  // Start-up notes wait until the server listens: the first line a person
  // sees on a terminal says where to open the app.
  const notes: { level: 'info' | 'warn'; message: string; details?: object }[] = [];
  const db = await createDb({
    databaseUrl: loaded.databaseUrl,
    dataDir: loaded.dataDir,
    onIdleError: (error) => log.error({ err: error }, 'idle database connection failed'),
  });
  const applied = await migrate(db);
  if (applied.length > 0)
    notes.push({ level: 'info', message: 'migrations applied', details: { applied } });
  const config = await withSecrets(loaded, db, (message) => notes.push({ level: 'warn', message }));
  if (config.registration) {
    await db.query('UPDATE community SET registration = $1 WHERE id = 1', [config.registration]);
  }
  const app = await buildApp({ config, db, logger: log });
  const metrics = config.metricsAddr ? await startMetricsServer(config.metricsAddr) : undefined;
  if (metrics) notes.push({ level: 'info', message: `metrics at ${metrics.url}/metrics` });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Sockets go first, so clients reconnect elsewhere at once; a load balancer
    // polling /readyz sees 503 for the drain period before the port closes.
    app.sync.drain();
    if (config.shutdownDrainMs > 0) await delay(config.shutdownDrainMs);
    // In-flight requests get a grace period; a stalled download or upload
    // must not hold the process until Node's request timeout.
    const grace = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    grace.unref();
    try {
      await app.close();
      metrics?.server.close();
      await db.close();
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));

  // Fastify logs "Server listening at http://HOST:PORT" (one line per
  // address); test harnesses, never on a terminal, read it. On a terminal the
  // line is the welcome instead.
  await app.listen({
    host: config.host,
    port: config.port,
    ...(process.stdout.isTTY
      ? { listenTextResolver: (address: string) => `Echora is running at ${address}` }
      : {}),
  });
  for (const note of notes) log[note.level](note.details ?? {}, note.message);
}

main().catch((error: unknown) => {
  process.stderr.write(`Echora failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
