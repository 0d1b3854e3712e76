import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, canSee, newId, Permission, Uuid } from '@echora/shared';
import {
  avatarBodySchema,
  createWebhookBodySchema,
  webhookAnswerSchema,
  webhookListSchema,
  webhookWithTokenSchema,
  type WebhookWithToken,
} from '@echora/shared/protocol/rest/bots';
import type { FileStorage } from '../../storage/index.ts';
import { writeAudit } from '../audit/log.ts';
import { appendFormerMember, insertBotUser, setBotAvatar } from '../bots/store.ts';
import { hashSecret, newSecret } from '../bots/tokens.ts';
import { findChannel } from '../channels/queries.ts';
import { requirePermission } from '../permissions/guard.ts';
import { makeAvatar } from '../profiles/avatar.ts';
import { webhookExecuteRoutes } from './execute.ts';
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listWebhooks,
  setWebhookSecret,
} from './store.ts';

export interface WebhookRouteOptions {
  storage: FileStorage;
  /** Posts per webhook: `capacity` per `windowMs` (default 30 a minute, as Discord). */
  rate?: { capacity: number; windowMs: number } | undefined;
}

const channelParams = Type.Object({ channelId: Uuid });
const itemParams = Type.Object({ channelId: Uuid, id: Uuid });
const urlOf = (id: string, token: string) => `/api/webhooks/${id}/${token}`;

/**
 * Incoming webhooks. Managers (manage channels in the channel) list, create,
 * rotate and delete them under `/api/channels/:channelId/webhooks`; anyone
 * holding the token posts with `POST /api/webhooks/:id/:token` (or
 * `/api/webhooks/:id` and the `X-Webhook-Token` header). Those two routes log
 * nothing at info level: their URL holds the token.
 */
export const webhookRoutes: FastifyPluginCallback<WebhookRouteOptions> = (base, options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.authenticate };

  /** A live text channel the caller manages; a channel they cannot see is "not found". */
  async function managedChannel(request: FastifyRequest, channelId: string): Promise<void> {
    const channel = await findChannel(app.db, channelId);
    const access = await app.sync.deps.access.get();
    const perms = access.channel(request.user.id, channelId);
    if (!channel || channel.deleted_at !== null || !canSee(perms)) {
      throw new AppError('not_found', 'No such channel.');
    }
    requirePermission(perms, Permission.manageChannels);
    if (channel.kind !== 'text') {
      throw new AppError('invalid', 'channelId: webhooks post in text channels only');
    }
  }

  app.get(
    '/channels/:channelId/webhooks',
    { ...auth, schema: { params: channelParams, response: { 200: webhookListSchema } } },
    async (request) => {
      await managedChannel(request, request.params.channelId);
      return { webhooks: await listWebhooks(app.db, request.params.channelId) };
    },
  );

  app.post(
    '/channels/:channelId/webhooks',
    {
      ...auth,
      schema: {
        params: channelParams,
        body: createWebhookBodySchema,
        response: { 201: webhookWithTokenSchema },
      },
    },
    async (request, reply) => {
      const { channelId } = request.params;
      const actorId = request.user.id;
      await managedChannel(request, channelId);
      const { name, avatarUploadId } = request.body;
      if (!name.trim()) throw new AppError('invalid', 'name: a webhook needs a name');
      const avatar = avatarUploadId
        ? await makeAvatar(app.db, options.storage, actorId, avatarUploadId)
        : null;
      const id = newId();
      const token = newSecret();
      await app.writer.commitAndPublish(async (tx, changes) => {
        const userId = await insertBotUser(tx, 'webhook', name, avatar);
        await insertWebhook(tx, {
          id,
          channelId,
          userId,
          tokenHash: hashSecret(token),
          createdBy: actorId,
        });
        // Members' replicas learn the author's name and avatar before its first message.
        await appendFormerMember(tx, changes, userId);
        await writeAudit(tx, { actorId, action: 'webhook.create', data: { channelId, id } });
      });
      const stored = await findWebhook(app.db, id);
      if (!stored) throw new AppError('not_found', 'No such channel.');
      const answer: WebhookWithToken = { webhook: stored.webhook, token, url: urlOf(id, token) };
      return reply.status(201).send(answer);
    },
  );

  app.post(
    '/channels/:channelId/webhooks/:id/token',
    { ...auth, schema: { params: itemParams, response: { 200: webhookWithTokenSchema } } },
    async (request) => {
      const { channelId, id } = request.params;
      await managedChannel(request, channelId);
      const token = newSecret();
      await app.writer.commitAndPublish(async (tx) => {
        if (!(await setWebhookSecret(tx, channelId, id, hashSecret(token)))) {
          throw new AppError('not_found', 'No such webhook.');
        }
        await writeAudit(tx, {
          actorId: request.user.id,
          action: 'webhook.rotate',
          data: { channelId, id },
        });
      });
      const stored = await findWebhook(app.db, id);
      if (!stored) throw new AppError('not_found', 'No such webhook.');
      return { webhook: stored.webhook, token, url: urlOf(id, token) };
    },
  );

  app.put(
    '/channels/:channelId/webhooks/:id/avatar',
    {
      ...auth,
      schema: {
        description: 'Sets (an upload of the caller’s) or removes (`null`) a webhook’s avatar',
        params: itemParams,
        body: avatarBodySchema,
        response: { 200: webhookAnswerSchema },
      },
    },
    async (request) => {
      const { channelId, id } = request.params;
      await managedChannel(request, channelId);
      const found = await findWebhook(app.db, id);
      if (found?.webhook.channelId !== channelId)
        throw new AppError('not_found', 'No such webhook.');
      const { avatarUploadId } = request.body;
      const avatar = avatarUploadId
        ? await makeAvatar(app.db, options.storage, request.user.id, avatarUploadId)
        : null;
      await app.writer.commitAndPublish(async (tx, changes) => {
        await setBotAvatar(tx, changes, found.webhook.authorId, avatar);
        await writeAudit(tx, {
          actorId: request.user.id,
          action: 'webhook.avatar',
          data: { channelId, id },
        });
      });
      const stored = await findWebhook(app.db, id);
      if (!stored) throw new AppError('not_found', 'No such webhook.');
      return { webhook: stored.webhook };
    },
  );

  app.delete(
    '/channels/:channelId/webhooks/:id',
    { ...auth, schema: { params: itemParams } },
    async (request, reply) => {
      const { channelId, id } = request.params;
      await managedChannel(request, channelId);
      await app.writer.commitAndPublish(async (tx) => {
        if (!(await deleteWebhook(tx, channelId, id))) {
          throw new AppError('not_found', 'No such webhook.');
        }
        await writeAudit(tx, {
          actorId: request.user.id,
          action: 'webhook.delete',
          data: { channelId, id },
        });
      });
      return reply.status(204).send();
    },
  );

  app.register(webhookExecuteRoutes, options);

  done();
};
