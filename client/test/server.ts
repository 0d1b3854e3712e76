import { startServer as startTestServer, type Session, type TestServer } from '@echora/testkit';

export type DbKind = 'pg' | 'pglite';
export type Account = Session;
export type { TestServer };

/**
 * The test kit's sync-server on a fresh Postgres database or PGlite folder,
 * with the abuse limits out of the way: the catch-up test sends 500
 * messages from one user in seconds.
 */
export function startServer(kind: DbKind): Promise<TestServer> {
  return startTestServer({
    database: kind === 'pg' ? 'postgres' : 'pglite',
    env: { AUTH_RATE_LIMIT: '100000', SEND_RATE_PER_MINUTE: '100000' },
  });
}
