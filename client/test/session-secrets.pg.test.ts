import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../src/lib/config.ts';
import type { Platform, SecretStore } from '../src/platform/index.ts';
import { Session } from '../src/state/session.svelte.ts';
import { memoryReplica } from '../src/sync/test-replica.ts';
import { newDevice } from './helpers.ts';
import { startServer, type DbKind, type TestServer } from './server.ts';

/** The phone's Keychain/Keystore as the app sees it. */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  get = (key: string) => Promise.resolve(this.values.get(key) ?? null);
  set = (key: string, value: string) => Promise.resolve(void this.values.set(key, value));
  remove = (key: string) => Promise.resolve(void this.values.delete(key));
}

/** A phone: the Capacitor platform's shape, with secure storage. */
function phone(secrets: SecretStore): Platform {
  return {
    kind: 'capacitor',
    needsServerAddress: true,
    secrets,
    isOnline: () => true,
    onOnlineChange: () => () => undefined,
    onVisibilityChange: () => () => undefined,
    onResume: () => () => undefined,
    onBack: () => () => undefined,
    setStatusBar: () => Promise.resolve(),
    requestPersistentStorage: () => Promise.resolve(true),
  };
}

describe.each<DbKind>(['pg', 'pglite'])('a phone session on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(kind);
    useServer(server.url);
  });
  afterAll(async () => {
    useServer(undefined);
    await server?.stop();
  });

  it('keeps the refresh token in secure storage, never in IndexedDB, and revokes it on sign-out', async () => {
    const device = newDevice();
    const replica = memoryReplica(device.factory, device.name);
    const secrets = new MemorySecrets();
    const session = new Session(replica, phone(secrets));
    await session.restore();
    await session.register('phone-user', 'correct horse battery staple');
    expect(session.status).toBe('signed-in');

    expect([...secrets.values.keys()]).toEqual([`echora.refresh ${server.url}/api`]);
    const refreshToken = [...secrets.values.values()][0]!;
    expect(refreshToken.length).toBeGreaterThan(20);

    // Every database on this device, every row: the token is in none of them.
    const databases = await device.factory.databases();
    expect(databases.map((d) => d.name)).toEqual([device.name]);
    for (const table of replica.tables) {
      expect(JSON.stringify(await table.toArray())).not.toContain(refreshToken);
    }

    // A cold start finds the session, and the token still works.
    const again = new Session(replica, phone(secrets));
    await again.restore();
    expect(again.user?.username).toBe('phone-user');

    await again.logout();
    expect(secrets.values.size).toBe(0);
    const refused = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken, tokenDelivery: 'body' }),
    });
    expect(refused.status).toBe(401);
  });
});
