import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { PROTOCOL_VERSION } from '@echora/shared';
import { buildApp } from './app.ts';
import { createTestApp, testConfig } from '../test/helpers/app.ts';
import { createTestDb, describeEachDb } from '../test/helpers/db.ts';

describeEachDb('app', (getDb, kind) => {
  let app: FastifyInstance;
  let dist: string;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    dist = await mkdtemp(join(tmpdir(), 'echora-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Echora</title>');
    await writeFile(join(dist, 'sw.js'), 'self.x = 1;');
    await writeFile(join(dist, 'assets', 'app-1a2b3c.js'), 'console.log(1);');
    // What the build's precompress step leaves beside an asset.
    await writeFile(
      join(dist, 'assets', 'app-1a2b3c.js.br'),
      brotliCompressSync('console.log(1);'),
    );
  });
  afterAll(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('answers /healthz with 200 when the database does', async () => {
    const response = await app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
  });

  it('answers /api/version with the sync protocol, without signing in', async () => {
    const response = await app.inject({ url: '/api/version' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ app: 'echora', protocol: PROTOCOL_VERSION });
  });

  it('answers /healthz with 503 unavailable when the database is gone', async () => {
    const broken = await createTestDb(kind);
    const brokenApp = await createTestApp(broken.db);
    // The database goes away while the app runs.
    await broken.cleanup();
    try {
      const response = await brokenApp.inject({ url: '/healthz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        error: { kind: 'unavailable', message: 'Database unavailable' },
      });
    } finally {
      await brokenApp.close().catch(() => undefined);
    }
  });

  it('answers an unknown route with 404 not_found', async () => {
    const response = await app.inject({ url: '/api/nothing?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { kind: 'not_found', message: 'Route GET /api/nothing not found' },
    });
  });

  it('answers a body over the limit with 413 too_large', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x', password: 'y'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json<{ error: { kind: string } }>().error.kind).toBe('too_large');
  });

  it('hides the details of a 500 behind internal', async () => {
    const crashing = await buildApp({ config: testConfig(), db: getDb() });
    crashing.get('/api/crash', { schema: { response: { 200: { type: 'null' } } } }, () => {
      throw new Error('secret connection string postgres://x');
    });
    try {
      const response = await crashing.inject({ url: '/api/crash' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: { kind: 'internal', message: 'Internal server error' },
      });
    } finally {
      await crashing.close();
    }
  });

  it('serves over a real socket', async () => {
    const live = await createTestApp(getDb());
    try {
      const address = await live.listen({ host: '127.0.0.1', port: 0 });
      const registered = await fetch(`${address}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'socketuser', password: 'correct horse battery' }),
      });
      expect(registered.status).toBe(201);
      const { accessToken } = (await registered.json()) as { accessToken: string };
      const me = await fetch(`${address}/api/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(((await me.json()) as { user: { username: string } }).user.username).toBe(
        'socketuser',
      );
    } finally {
      await live.close();
    }
  });

  it('serves the built client with an SPA fallback and sane caching', async () => {
    const withClient = await createTestApp(getDb(), { config: { clientDist: dist } });
    try {
      const index = await withClient.inject({ url: '/' });
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain('<title>Echora</title>');
      expect(index.headers['cache-control']).toBe('no-cache');
      const deepLink = await withClient.inject({ url: '/channels/abc' });
      expect(deepLink.statusCode).toBe(200);
      expect(deepLink.body).toContain('<title>Echora</title>');
      expect(deepLink.headers['cache-control']).toBe('no-cache');
      expect((await withClient.inject({ url: '/sw.js' })).headers['cache-control']).toBe(
        'no-cache',
      );
      const asset = await withClient.inject({ url: '/assets/app-1a2b3c.js' });
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-encoding']).toBeUndefined();
      const brotli = await withClient.inject({
        url: '/assets/app-1a2b3c.js',
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      });
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe('console.log(1);');
      expect((await withClient.inject({ url: '/missing.js' })).statusCode).toBe(404);
      const api = await withClient.inject({ url: '/api/unknown' });
      expect(api.statusCode).toBe(404);
      expect(api.json<{ error: { kind: string } }>().error.kind).toBe('not_found');
      expect((await withClient.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    } finally {
      await withClient.close();
    }
  });
});
