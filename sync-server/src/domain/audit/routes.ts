import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Permission } from '@echora/shared';
import { auditPageSchema, auditQuerySchema } from '@echora/shared/protocol/rest/moderation';
import { Access } from '../permissions/access.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';
import { loadAccess } from '../permissions/load.ts';
import { auditPage } from './log.ts';

/** `GET /api/audit-log?before&limit`, newest first. Needs view audit log. */
export const auditRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/audit-log',
    {
      preHandler: app.authenticate,
      schema: { querystring: auditQuerySchema, response: { 200: auditPageSchema } },
    },
    async (req) => {
      const access = new Access(await loadAccess(app.db));
      actorOf(access, req.user.id);
      requirePermission(access.base(req.user.id), Permission.viewAuditLog);
      return auditPage(app.db, req.query.before, req.query.limit ?? 50);
    },
  );
  done();
};
