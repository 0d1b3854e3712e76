import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from './errors.ts';

// Replaced on every deploy: the browser must ask again each time.
const NO_CACHE = new Set(['index.html', 'sw.js', 'manifest.webmanifest', 'registerSW.js']);

/**
 * Serves the built client from `dist` when its index.html exists (brotli or
 * gzip made at build time when the browser takes them), with the SPA fallback: a GET outside /api that names no file gets index.html.
 * Without a build, unknown routes get the JSON 404.
 */
export async function registerClient(app: FastifyInstance, dist: string): Promise<void> {
  if (!existsSync(join(dist, 'index.html'))) {
    app.setNotFoundHandler(notFound);
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: false,
    cacheControl: false,
    // The build writes .br and .gz beside each text asset (client/scripts/precompress.mjs).
    preCompressed: true,
    setHeaders(res, path: string) {
      const name = path.split(/[\\/]/).pop() ?? '';
      // Vite puts content-hashed files under assets/: they never change.
      if (NO_CACHE.has(name)) res.header('cache-control', 'no-cache');
      else if (/[\\/]assets[\\/]/.test(path)) {
        res.header('cache-control', 'public, max-age=31536000, immutable');
      } else res.header('cache-control', 'public, max-age=3600');
    },
  });
  app.get('/', (_request, reply) => sendIndex(reply));
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = request.method === 'GET' || request.method === 'HEAD';
    if (isPage && !path.startsWith('/api') && !/\.[A-Za-z0-9]+$/.test(path)) {
      return sendIndex(reply);
    }
    return notFound(request, reply);
  });
}

function sendIndex(reply: FastifyReply) {
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}
