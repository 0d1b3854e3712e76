import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, canSee, messageSchema, newId, Permission, Uuid } from '@echora/shared';
import {
  createWebhookBodySchema,
  webhookListSchema,
  webhookPostSchema,
  webhookWithTokenSchema,
  type WebhookWithToken,
} from '@echora/shared/protocol/rest/bots';
import { KeyedLimiter } from '../../limits/token-bucket.ts';
import type { FileStorage } from '../../storage/index.ts';
import { writeAudit } from '../audit/log.ts';
import { appendFormerMember, insertBotUser } from '../bots/store.ts';
import { hashSecret, newSecret, secretMatches } from '../bots/tokens.ts';
import { findChannel } from '../channels/queries.ts';
import { requirePermission } from '../permissions/guard.ts';
import { makeAvatar } from '../profiles/avatar.ts';
import { webhookText } from './payload.ts';
import { postWebhookMessage } from './post.ts';
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
const executeParams = Type.Object({ id: Uuid, token: Type.String({ maxLength: 128 }) });
const idParams = Type.Object({ id: Uuid });
const tokenHeaders = Type.Object({ 'x-webhook-token': Type.Optional(Type.String()) });
const posted = Type.Object({ message: messageSchema });

/** The header that carries the token when it is not in the path. */
export const WEBHOOK_TOKEN_HEADER = 'x-webhook-token';

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
  const rate = options.rate ?? { capacity: 30, windowMs: 60_000 };
  const limiter = new KeyedLimiter(rate.capacity, rate.windowMs);

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

  /** Checks the token, the rate, the payload; posts. */
  async function execute(id: string, token: string | undefined, body: unknown) {
    const stored = await findWebhook(app.db, id);
    if (!stored || !token || !secretMatches(token, stored.tokenHash)) {
      throw new AppError('unauthorized', 'Unknown webhook or wrong token.');
    }
    // A refused payload writes nothing: only posts count against the rate.
    const content = webhookText(body as Parameters<typeof webhookText>[0]);
    const wait = limiter.take(id);
    if (wait > 0) throw new AppError('rate_limited', 'This webhook posts too often.', wait);
    const message = await postWebhookMessage(app.writer, stored.webhook, content);
    return { message };
  }

  // Their URL holds the token: only warnings and errors are logged (no request lines).
  const quiet = { logLevel: 'warn' as const };
  app.post(
    '/webhooks/:id/:token',
    {
      ...quiet,
      schema: { params: executeParams, body: webhookPostSchema, response: { 200: posted } },
    },
    async (request) => execute(request.params.id, request.params.token, request.body),
  );
  app.post(
    '/webhooks/:id',
    {
      ...quiet,
      schema: {
        params: idParams,
        headers: tokenHeaders,
        body: webhookPostSchema,
        response: { 200: posted },
      },
    },
    async (request) =>
      execute(request.params.id, request.headers[WEBHOOK_TOKEN_HEADER], request.body),
  );

  done();
};
