import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import webpush from 'web-push';
import { buildApp, type BuildAppOptions } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/types.ts';

/**
 * A valid Config for tests: silent logs, fresh random secrets, no client
 * build, a temporary data folder; `overrides` replace any field.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = join(tmpdir(), `echora-test-${randomBytes(6).toString('hex')}`);
  return {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0' }),
    jwtSecret: randomBytes(32).toString('hex'),
    voiceGrantSecret: randomBytes(32).toString('hex'),
    vapidKeys: webpush.generateVAPIDKeys(),
    clientDist: join(dataDir, 'no-client'),
    // Tests register many users from one address; rate-limit tests pass their own limits.
    authRateLimit: 1000,
    ...overrides,
  };
}

/** Extra options for {@link createTestApp}. */
export interface TestAppOptions extends Omit<BuildAppOptions, 'config' | 'db'> {
  config?: Partial<Config>;
}

/**
 * Builds the app on `db` (e.g. `getDb()` from describeEachDb) for
 * `app.inject`, or `await app.listen({ port: 0, host: '127.0.0.1' })` for a
 * real socket. Close it with `app.close()` (the db stays open).
 *
 * @example
 * const app = await createTestApp(getDb(), { hooks: { afterUserCreated } });
 */
export async function createTestApp(
  db: Db,
  options: TestAppOptions = {},
): Promise<FastifyInstance> {
  const { config, ...rest } = options;
  const app = await buildApp({ ...rest, config: testConfig(config), db });
  // A fetch's keep-alive socket that Node does not count as idle would hold
  // close() until Fastify's 72 s keep-alive timeout: tests end them at once.
  app.addHook('preClose', (done) => {
    app.server.closeAllConnections();
    done();
  });
  await app.ready();
  return app;
}

/**
 * Registers a user through the API and returns the session body. It asks for
 * the refresh token in the body, as a native client does (`tokenDelivery`).
 */
export async function registerUser(
  app: FastifyInstance,
  username: string,
  password = 'correct horse battery',
): Promise<{
  user: { id: string; username: string; isOwner: boolean };
  accessToken: string;
  refreshToken: string;
}> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { username, password, tokenDelivery: 'body' },
  });
  if (response.statusCode !== 201) {
    throw new Error(`register ${username} -> ${response.statusCode}: ${response.body}`);
  }
  return response.json();
}
