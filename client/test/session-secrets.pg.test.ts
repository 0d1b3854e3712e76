// The upload queue and notes open the global IndexedDB, as in the app: a fake one, set first.
import 'fake-indexeddb/auto';
import { resolveObjectURL } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import { MediaLoader } from '../src/files/media-loader.ts';
import { useServer } from '../src/lib/config.ts';
import type { Platform, SecretStore } from '../src/platform/index.ts';
import { createPageNotifier } from '../src/platform/page-notifications.ts';
import { Servers } from '../src/state/servers.svelte.ts';
import { forgetCommunity, Session } from '../src/state/session.svelte.ts';
import { notesDbName } from '../src/sync/notes-storage.ts';
import { memoryReplica } from '../src/sync/test-replica.ts';
import { UploadQueueDb } from '../src/uploads/queue-db.ts';
import { newDevice } from './helpers.ts';
import { startServer, type DbKind, type TestServer } from './server.ts';

/** A 1×1 PNG: the server takes the type from the bytes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

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
    mediaCookies: false,
    secrets,
    isOnline: () => true,
    onOnlineChange: () => () => undefined,
    onVisibilityChange: () => () => undefined,
    onResume: () => () => undefined,
    onBack: () => () => undefined,
    setStatusBar: () => Promise.resolve(),
    requestPersistentStorage: () => Promise.resolve(true),
    takeShared: () => Promise.resolve(null),
    notifications: createPageNotifier(),
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

  it('forgets a community removed from the phone: its token revoked and gone, its data deleted', async () => {
    const device = newDevice();
    const replica = memoryReplica(indexedDB, device.name);
    const secrets = new MemorySecrets();
    const other = 'echora.refresh https://other.example/api';
    await secrets.set(other, 'another community’s token');
    const session = new Session(replica, phone(secrets));
    await session.restore();
    await session.register(`leaver-${newId().slice(0, 8)}`, 'correct horse battery staple');
    const userId = session.user!.id;
    const refreshToken = secrets.values.get(`echora.refresh ${server.url}/api`)!;
    expect(refreshToken).toBeTruthy();

    // A message waiting for its file, one of another user, and this community's notes.
    const uploads = new UploadQueueDb();
    const queued = (who: string) => ({
      messageId: newId(),
      userId: who,
      channelId: newId(),
      content: 'with a file',
      files: [],
      createdAt: Date.now(),
    });
    const someoneElse = newId();
    await uploads.messages.bulkAdd([queued(userId), queued(someoneElse)]);
    const notes = indexedDB.open(notesDbName(userId, newId()));
    await new Promise((done) => (notes.onsuccess = done));
    notes.result.close();

    const store = new Map<string, string>();
    const servers = new Servers(
      { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
      (origin) => forgetCommunity(origin, replica, phone(secrets)),
    );
    servers.add('https://other.example');
    servers.add(server.url);
    await servers.remove(server.url);

    expect(servers.origins).toEqual(['https://other.example']);
    expect([...secrets.values.keys()]).toEqual([other]);
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(device.name);
    expect(names.filter((n) => n?.startsWith(notesDbName(userId, '')))).toEqual([]);
    const left = await uploads.messages.toArray();
    expect(left.filter((m) => m.userId === userId)).toEqual([]);
    expect(left.filter((m) => m.userId === someoneElse)).toHaveLength(1);
    uploads.close();

    // The server ended that session: the token no longer refreshes.
    const refused = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken, tokenDelivery: 'body' }),
    });
    expect(refused.status).toBe(401);
  });

  it('loads a file with the token in a header into a blob: URL, refreshing once when it is refused', async () => {
    // Forgetting a community (above) points the API back at the default.
    useServer(server.url);
    const device = newDevice();
    const replica = memoryReplica(device.factory, device.name);
    const secrets = new MemorySecrets();
    const session = new Session(replica, phone(secrets));
    await session.restore();
    await session.register(`media-${newId().slice(0, 8)}`, 'correct horse battery staple');
    const bearer = { authorization: `Bearer ${await session.getToken()}` };
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'dot.png');
    const uploaded = await fetch(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: bearer,
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { file } = (await uploaded.json()) as { file: { url: string } };
    const url = `${server.url}${file.url}`;
    const served = Buffer.from(await (await fetch(url, { headers: bearer })).arrayBuffer());
    const refreshBefore = [...secrets.values.values()][0];

    // The token held is one the server refuses, until the loader asks for a new one.
    let held: string | null = 'not-a-token';
    const media = new MediaLoader({
      token: () => Promise.resolve(held),
      refresh: async () => (held = await session.refreshToken()),
    });
    const blob = resolveObjectURL(await media.load(url));
    expect(blob?.type).toBe('image/png');
    expect(Buffer.from(await blob!.arrayBuffer())).toEqual(served);
    // A real refresh: the phone's refresh token was rotated.
    expect([...secrets.values.values()][0]).not.toBe(refreshBefore);
    media.clear();
    session.close();
  });
});
