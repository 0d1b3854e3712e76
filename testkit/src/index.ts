/**
 * The test kit: what every test or benchmark that needs a running Echora
 * uses, so there is one way to start a server, make a database, sign up and
 * speak the sync protocol.
 */
export { login, register, TEST_PASSWORD, type Session } from './auth.ts';
export {
  createTestDatabase,
  TEST_DATABASE_URL,
  type TestDatabase,
  type TestDatabaseOptions,
} from './database.ts';
export {
  freePort,
  repoRoot,
  startProcess,
  type Env,
  type RunningProcess,
  type StartProcessOptions,
} from './process.ts';
export {
  startServer,
  startSfu,
  type StartServerOptions,
  type TestServer,
  type TestSfu,
} from './server.ts';
export { copyPgliteTemplate, pgliteTemplate, postgresTemplate, templateKey } from './template.ts';
export { openSocketPair, type SocketPair } from './socket-pair.ts';
export {
  connectSynced,
  ProtocolClient,
  syncSocketUrl,
  type AuthOptions,
  type ProtocolClientOptions,
} from './sync-client.ts';
export { OEMBED_ANSWER, PreviewServer, solidPng } from './preview-server.ts';
