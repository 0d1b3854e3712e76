import type { FastifyPluginCallback } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  createInviteBodySchema,
  inviteListSchema,
  inviteParamsSchema,
  invitePreviewSchema,
  inviteSchema,
} from '@echora/shared/protocol/rest/invites';
import { communityWrite } from '../moderation/write.ts';
import { createInvite, listInvites, previewInvite, revokeInvite } from './invites.ts';

/** `/api/invites`: create, list, revoke, and the public preview. Register under `/api`. */
export const inviteRoutes: FastifyPluginCallback = (base, _options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.authenticate };

  app.post(
    '/invites',
    { ...auth, schema: { body: createInviteBodySchema, response: { 201: inviteSchema } } },
    async (req, reply) => {
      const body = req.body ?? {};
      const invite = await communityWrite(app, (w) => createInvite(w, req.user.id, body));
      return reply.status(201).send(invite);
    },
  );

  app.get(
    '/invites',
    { ...auth, schema: { response: { 200: inviteListSchema } } },
    async (req) => ({
      invites: await communityWrite(app, (w) => listInvites(w, req.user.id)),
    }),
  );

  app.delete(
    '/invites/:code',
    { ...auth, schema: { params: inviteParamsSchema } },
    async (req, reply) => {
      await communityWrite(app, (w) => revokeInvite(w, req.user.id, req.params.code));
      return reply.status(204).send();
    },
  );

  // Public: the invite page shows it before anyone has an account.
  app.get(
    '/invites/:code',
    { schema: { params: inviteParamsSchema, response: { 200: invitePreviewSchema } } },
    (req) => previewInvite(app.db, req.params.code),
  );
  done();
};
