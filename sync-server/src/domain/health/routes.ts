import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { AppError, PROTOCOL_VERSION } from '@echora/shared';
import { versionSchema, type VersionInfo } from '@echora/shared/protocol/rest/version';

/**
 * `GET /healthz` (alive): 200 when the database answers, 503 `unavailable`
 * when it does not. `GET /readyz` (send traffic here): also 503 while the node
 * drains for a restart or its bus (Redis) is disconnected. Migrations run
 * before the node listens, so a node that answers has them. `GET /api/version`
 * names the app and its sync protocol, for the phone apps' server check.
 */
export const healthRoutes: FastifyPluginCallback = (app, _options, done) => {
  const databaseAnswers = async (request: FastifyRequest) => {
    try {
      await app.db.query('SELECT 1');
    } catch (error) {
      request.log.warn({ err: error }, 'health check: database unavailable');
      throw new AppError('unavailable', 'Database unavailable');
    }
  };
  app.get('/healthz', async (request) => {
    await databaseAnswers(request);
    return { ok: true };
  });
  app.get('/readyz', async (request) => {
    if (!app.sync.ready()) throw new AppError('unavailable', 'Draining or bus disconnected');
    await databaseAnswers(request);
    return { ok: true };
  });
  app.get('/api/version', { schema: { response: { 200: versionSchema } } }, (): VersionInfo => ({
    app: 'echora',
    protocol: PROTOCOL_VERSION,
  }));
  done();
};
