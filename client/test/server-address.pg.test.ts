import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@echora/shared';
import { checkServer, parseAddress } from '../src/api/server-check.ts';
import { apiBase, syncUrl, useServer } from '../src/lib/config.ts';
import { replicaName, Servers } from '../src/state/servers.svelte.ts';
import { deadUrl } from './helpers.ts';
import { startServer, type DbKind, type TestServer } from './server.ts';

/** A real HTTP server answering `routes` (path → status and JSON), 404 elsewhere. */
async function site(
  routes: Record<string, [number, unknown]>,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const [status, body] = routes[request.url ?? ''] ?? [404, { error: 'nope' }];
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** The sentence a refused address shows ('' when it was accepted). */
function problemOf(result: { problem: string } | { origin: string } | { ok: boolean }): string {
  return 'problem' in result ? result.problem : '';
}

/** localStorage, as the app uses it. */
class MemoryStore {
  readonly values = new Map<string, string>();
  getItem = (key: string) => this.values.get(key) ?? null;
  setItem = (key: string, value: string) => void this.values.set(key, value);
}

describe('reading a typed address', () => {
  it('takes a bare host as https and keeps only the origin', () => {
    expect(parseAddress(' chat.example.org/channels ')).toEqual({
      origin: 'https://chat.example.org',
    });
    expect(parseAddress('http://127.0.0.1:3000')).toEqual({ origin: 'http://127.0.0.1:3000' });
  });

  it('refuses what is not an https address, saying why', () => {
    expect(problemOf(parseAddress(''))).toContain('such as https://');
    expect(problemOf(parseAddress('http://chat.example.org'))).toContain(
      'Use https:// for chat.example.org',
    );
    expect(problemOf(parseAddress('ftp://chat.example.org'))).toContain('such as');
    expect(problemOf(parseAddress('https://a b'))).toContain('is not an address');
  });
});

describe('choosing where the API and socket go', () => {
  it('points both at the chosen server, and back', () => {
    useServer('https://chat.example.org');
    expect(apiBase).toBe('https://chat.example.org/api');
    expect(syncUrl()).toBe('wss://chat.example.org/api/sync');
    useServer('http://127.0.0.1:3000');
    expect(syncUrl()).toBe('ws://127.0.0.1:3000/api/sync');
    useServer(undefined);
    expect(apiBase).toBe('/api');
  });

  it('remembers communities and which is open, each with its own replica', async () => {
    const store = new MemoryStore();
    const servers = new Servers(store);
    expect(servers.current).toBeNull();
    servers.add('https://one.example');
    servers.add('https://two.example');
    servers.use('https://one.example');
    const again = new Servers(store);
    expect(again.origins).toEqual(['https://one.example', 'https://two.example']);
    expect(again.current).toBe('https://one.example');
    expect(apiBase).toBe('https://one.example/api');
    await again.remove('https://one.example');
    expect(new Servers(store).current).toBeNull();
    expect(replicaName('https://two.example')).not.toBe(replicaName('https://one.example'));
    useServer(undefined);
  });

  it('starts empty from unreadable saved data', () => {
    const store = new MemoryStore();
    store.setItem('echora.servers', '{not json');
    expect(new Servers(store).origins).toEqual([]);
  });
});

describe.each<DbKind>(['pg', 'pglite'])('checking a server, on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts an Echora server that speaks this protocol', async () => {
    expect(await checkServer(`${server.url}/`)).toEqual({ ok: true, origin: server.url });
  });

  it('refuses a server it cannot reach', async () => {
    const dead = (await deadUrl()).replace(/^ws/, 'http');
    const result = await checkServer(dead);
    expect(problemOf(result)).toContain('Could not reach');
  });

  it('refuses a site that is not Echora, and one with another protocol', async () => {
    const other = await site({ '/healthz': [200, { ok: true }] });
    const newer = await site({
      '/healthz': [200, { ok: true }],
      '/api/version': [200, { app: 'echora', protocol: PROTOCOL_VERSION + 1 }],
    });
    const down = await site({ '/healthz': [503, { error: {} }] });
    try {
      const host = (origin: string) => new URL(origin).host;
      expect(await checkServer(other.origin)).toEqual({
        ok: false,
        problem: `${host(other.origin)} is not an Echora community.`,
      });
      expect(await checkServer(newer.origin)).toEqual({
        ok: false,
        problem: `${host(newer.origin)} runs a newer Echora. Update this app to join it.`,
      });
      expect(problemOf(await checkServer(down.origin))).toContain('not answering properly (503)');
    } finally {
      await Promise.all([other.close(), newer.close(), down.close()]);
    }
  });
});
