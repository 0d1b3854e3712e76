import type { FastifyPluginCallback } from 'fastify';
import { AppError } from '@echora/shared';

/** `GET /healthz`: 200 when the database answers, 503 `unavailable` when it does not. */
export const healthRoutes: FastifyPluginCallback = (app, _options, done) => {
  app.get('/healthz', async (request) => {
    try {
      await app.db.query('SELECT 1');
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unavailable');
      throw new AppError('unavailable', 'Database unavailable');
    }
    return { ok: true };
  });
  done();
};
