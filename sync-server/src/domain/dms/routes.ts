import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Permission } from '@echora/shared';
import { reportListSchema, type Report } from '@echora/shared/protocol/rest/reports';
import { iso } from '../../db/timestamps.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';

/** `GET /api/reports`: reported messages, newest first (manage messages). Register under `/api`. */
export const reportRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/reports',
    { preHandler: app.authenticate, schema: { response: { 200: reportListSchema } } },
    async (req) => {
      const access = await app.sync.deps.access.get();
      actorOf(access, req.user.id);
      requirePermission(access.base(req.user.id), Permission.manageMessages);
      const { rows } = await app.db.query<{
        id: string;
        reporter_id: string;
        message_id: string;
        author_id: string;
        content: string;
        reason: string;
        created_at: Date | string;
      }>(
        `SELECT id, reporter_id, message_id, author_id, content, reason, created_at
         FROM message_reports ORDER BY created_at DESC, id DESC LIMIT 100`,
      );
      const reports: Report[] = rows.map((r) => ({
        id: r.id,
        reporterId: r.reporter_id,
        messageId: r.message_id,
        authorId: r.author_id,
        content: r.content,
        reason: r.reason,
        createdAt: iso(r.created_at),
      }));
      return { reports };
    },
  );
  done();
};
