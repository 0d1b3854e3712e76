import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, COMMUNITY_INFO_ID, COMMUNITY_SCOPE, Permission } from '@echora/shared';
import { communityPatchSchema, communitySchema } from '@echora/shared/protocol/rest/community';
import { readCommunity } from './queries.ts';
import { writeAudit } from '../audit/log.ts';
import { communityWrite } from '../moderation/write.ts';
import { actorOf, requirePermission } from '../permissions/guard.ts';

/** Public `GET /api/community`; `PATCH` needs manage community. Register under `/api`. */
export const communityRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/community', { schema: { response: { 200: communitySchema } } }, () =>
    readCommunity(app.db),
  );

  app.patch(
    '/community',
    {
      preHandler: app.authenticate,
      schema: { body: communityPatchSchema, response: { 200: communitySchema } },
    },
    (req) =>
      communityWrite(app, async (w) => {
        actorOf(w.access, req.user.id);
        requirePermission(w.access.base(req.user.id), Permission.manageCommunity);
        const name = req.body.name?.trim();
        if (name === '') throw new AppError('invalid', 'name: must not be blank');
        await w.tx.query(
          `UPDATE community SET name = coalesce($1, name), registration = coalesce($2, registration),
             link_previews = coalesce($3, link_previews)
           WHERE id = 1`,
          [name ?? null, req.body.registration ?? null, req.body.linkPreviews ?? null],
        );
        if (name) {
          // Every member's sidebar shows the name: it travels the community feed.
          await w.changes.append(w.tx, COMMUNITY_SCOPE, [
            {
              op: 'upsert',
              entity: 'community',
              id: COMMUNITY_INFO_ID,
              data: { id: COMMUNITY_INFO_ID, name },
            },
          ]);
        }
        await writeAudit(w.tx, {
          actorId: req.user.id,
          action: 'community.update',
          targetType: 'community',
          data: {
            ...(name ? { name } : {}),
            ...(req.body.registration ? { registration: req.body.registration } : {}),
            ...(req.body.linkPreviews === undefined ? {} : { linkPreviews: req.body.linkPreviews }),
          },
        });
        return readCommunity(w.tx);
      }),
  );
  done();
};
