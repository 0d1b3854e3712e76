import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mutationNames } from '@echora/shared';
import { createTestApp } from '../../test/helpers/app.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { registerApiDocs, restRoutesOf } from './api-docs.ts';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        requestBody?: { content: Record<string, unknown> };
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

describeEachDb('API documentation', (getDb) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await createTestApp(getDb());
  });
  afterAll(() => app.close());

  it('is an OpenAPI 3 document of every REST route, with the socket frames', async () => {
    const response = await app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<OpenApi>();
    expect(doc.openapi).toMatch(/^3\./);
    // Every route the app has under /api (HEAD twins aside), and nothing it lacks.
    const routes = restRoutesOf(app)
      .filter((r) => !r.startsWith('HEAD '))
      .map((r) => r.replace(/:(\w+)/g, '{$1}'));
    expect(routes.length).toBeGreaterThan(20);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(new Set(documented)).toEqual(new Set(routes));
    const ban = doc.paths['/api/moderation/bans/{userId}']?.delete;
    expect(ban?.parameters).toEqual([expect.objectContaining({ name: 'userId', in: 'path' })]);
    // A webhook post is documented in each media type it takes.
    const webhookPost = doc.paths['/api/webhooks/{id}/{token}']?.post;
    expect(Object.keys(webhookPost?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]);
    expect(doc.paths['/api/bots/{id}/avatar']?.put).toBeDefined();
    expect(doc.paths['/api/channels/{channelId}/webhooks/{id}/avatar']?.put).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['SyncUp', 'SyncDown', ...mutationNames.map((n) => `Mutation.${n}`)]),
    );
  });

  it('has a page at /docs, which alone may use inline styles', async () => {
    const page = await app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // Its inline styles are allowed there alone; scripts stay 'self' everywhere.
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    const elsewhere = await app.inject({ url: '/healthz' });
    expect(elsewhere.headers['content-security-policy']).not.toContain('unsafe-inline');
  });
});

describe('a REST route without a schema', () => {
  it('stops the app from starting, naming the route', async () => {
    const app = Fastify();
    await registerApiDocs(app);
    expect(() => app.get('/api/bare', () => 'x')).toThrow(
      'GET /api/bare: a route under /api needs a schema',
    );
    expect(() =>
      app.get('/api/things/:id', { schema: { response: { 200: { type: 'string' } } } }, () => 'x'),
    ).toThrow('GET /api/things/:id: no schema for the :id param');
    await app.close();
  });
});
