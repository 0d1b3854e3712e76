import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Permission } from '@echora/shared';
import {
  reportIdParamsSchema,
  reportListSchema,
  reportQuerySchema,
  reportResolveBodySchema,
} from '@echora/shared/protocol/rest/reports';
import { RateLimiter } from '../auth/rate-limit.ts';
import { communityWrite } from '../moderation/write.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';
import { listReports, resolveReport } from './report-queue.ts';

/** Resolves and dismissals one moderator may make per minute. */
const RESOLVES_PER_MINUTE = 120;

/**
 * `GET /api/reports`: reported messages, a page at a time, newest first;
 * `POST /api/reports/:id/resolve`: closes one. Both need manage messages.
 * Register under `/api`.
 */
export const reportRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const resolveLimit = new RateLimiter(
    { max: RESOLVES_PER_MINUTE, windowMs: 60_000 },
    'report resolutions',
  );

  app.get(
    '/reports',
    {
      preHandler: app.authenticate,
      schema: { querystring: reportQuerySchema, response: { 200: reportListSchema } },
    },
    async (req) => {
      const access = await app.sync.deps.access.get();
      actorOf(access, req.user.id);
      requirePermission(access.base(req.user.id), Permission.manageMessages);
      return listReports(app.db, req.query);
    },
  );

  app.post(
    '/reports/:id/resolve',
    {
      preHandler: app.authenticate,
      schema: { params: reportIdParamsSchema, body: reportResolveBodySchema },
    },
    async (req, reply) => {
      resolveLimit.hit(req.user.id);
      await communityWrite(app, (w) =>
        resolveReport(w, req.user.id, req.params.id, req.body.outcome),
      );
      return reply.status(204).send();
    },
  );
  done();
};
