import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyPluginCallback } from 'fastify';
import { AppError } from '@echora/shared';
import { registry } from './registry.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` on the main port, only with `Authorization: Bearer <token>`
 * (compared in constant time; 401 otherwise). Registered only when a token is
 * configured, so without one the path does not exist.
 */
export const metricsRoutes: FastifyPluginCallback<{ token: string }> = (app, options, done) => {
  const expected = digest(`Bearer ${options.token}`);
  app.get('/metrics', async (request, reply) => {
    if (!timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      throw new AppError('unauthorized', 'metrics: a bearer token is required');
    }
    void reply.type(registry.contentType);
    return registry.metrics();
  });
  done();
};

/** `/metrics` on its own address (`METRICS_ADDR`), unauthenticated: keep it private. */
export async function startMetricsServer(address: {
  host: string;
  port: number;
}): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  return {
    server,
    url: `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${port}`,
  };
}
