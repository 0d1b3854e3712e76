import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  banBodySchema,
  banListSchema,
  kickBodySchema,
  timeoutBodySchema,
  timeoutResponseSchema,
  userIdParamsSchema,
} from '@echora/shared/protocol/rest/moderation';
import { ban, kick, listBans, timeout, unban } from './actions.ts';
import { communityWrite } from './write.ts';

/** `/api/moderation/*`: kick, ban, unban, list bans, timeout. Register under `/api`. */
export const moderationRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.authenticate };

  app.post(
    '/moderation/kick',
    { ...auth, schema: { body: kickBodySchema } },
    async (req, reply) => {
      await communityWrite(app, (w) => kick(w, req.user.id, req.body));
      return reply.status(204).send();
    },
  );

  app.post('/moderation/ban', { ...auth, schema: { body: banBodySchema } }, async (req, reply) => {
    await communityWrite(app, (w) => ban(w, req.user.id, req.body));
    return reply.status(204).send();
  });

  app.delete(
    '/moderation/bans/:userId',
    { ...auth, schema: { params: userIdParamsSchema } },
    async (req, reply) => {
      await communityWrite(app, (w) => unban(w, req.user.id, req.params.userId));
      return reply.status(204).send();
    },
  );

  app.get('/moderation/bans', { ...auth, schema: { response: { 200: banListSchema } } }, (req) =>
    communityWrite(app, (w) => listBans(w, req.user.id)),
  );

  app.post(
    '/moderation/timeout',
    { ...auth, schema: { body: timeoutBodySchema, response: { 200: timeoutResponseSchema } } },
    (req) => communityWrite(app, (w) => timeout(w, req.user.id, req.body)),
  );
  done();
};
