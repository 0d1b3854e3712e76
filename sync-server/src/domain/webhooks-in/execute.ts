import { tmpdir } from 'node:os';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, messageSchema, Uuid, validator } from '@echora/shared';
import { webhookPostSchema } from '@echora/shared/protocol/rest/bots';
import { KeyedLimiter } from '../../limits/token-bucket.ts';
import type { FileStorage } from '../../storage/index.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { secretMatches } from '../bots/tokens.ts';
import { toAttachment } from '../files/queries.ts';
import { checkQuota, usedBytes } from '../files/quota.ts';
import { UPLOADS_PER_MINUTE } from '../files/routes.ts';
import { storeUpload } from '../files/store.ts';
import { acceptSlackForm, jsonParser } from './form-body.ts';
import { readWebhookForm, type WebhookForm } from './multipart.ts';
import { webhookText } from './payload.ts';
import { postWebhookMessage } from './post.ts';
import { findWebhook } from './store.ts';
import { webhookBodySchema } from './post-schema.ts';

export interface WebhookExecuteOptions {
  storage: FileStorage;
  /** Posts per webhook: `capacity` per `windowMs` (default 30 a minute, as Discord). */
  rate?: { capacity: number; windowMs: number } | undefined;
  /** Where multipart files are spooled while they are checked. */
  tmpDir?: string;
}

/** The header that carries the token when it is not in the path. */
export const WEBHOOK_TOKEN_HEADER = 'x-webhook-token';

/**
 * The header our outgoing deliveries carry (`Echora-Delivery`): an app that
 * forwards one of them to an incoming webhook would post in a loop.
 */
const DELIVERY_HEADER = 'echora-delivery';

const executeParams = Type.Object({ id: Uuid, token: Type.String({ maxLength: 128 }) });
const idParams = Type.Object({ id: Uuid });
const tokenHeaders = Type.Object({ [WEBHOOK_TOKEN_HEADER]: Type.Optional(Type.String()) });
const posted = Type.Object({ message: messageSchema });
const checkPost = validator(webhookPostSchema);

/**
 * `POST /api/webhooks/:id/:token` and `POST /api/webhooks/:id` (token in
 * `X-Webhook-Token`): a post as the webhook, in JSON (Slack or Discord), as
 * Slack's form-encoded `payload=`, or as Discord's multipart form with files.
 * Their URL holds the token: only warnings and errors are logged.
 */
export const webhookExecuteRoutes: FastifyPluginCallback<WebhookExecuteOptions> = (
  base,
  options,
  done,
) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const rate = options.rate ?? { capacity: 30, windowMs: 60_000 };
  const limiter = new KeyedLimiter(rate.capacity, rate.windowMs);
  // Files count against the same per-minute limit as a person's uploads, per webhook.
  const uploadLimit = new RateLimiter({ max: UPLOADS_PER_MINUTE, windowMs: 60_000 }, 'uploads');
  const tmpDir = options.tmpDir ?? tmpdir();
  const parseJson = jsonParser(app);
  acceptSlackForm(app);
  app.register(fastifyMultipart);

  /** The payload and files of a post; a multipart body is read only once the token is good. */
  async function readPost(request: FastifyRequest): Promise<WebhookForm> {
    if (!request.isMultipart()) return { payload: request.body, files: [] };
    return readWebhookForm(request, tmpDir, app.config.maxUploadBytes, parseJson);
  }

  /** Checks the token, the payload, the rates and the quota; stores the files; posts. */
  async function execute(request: FastifyRequest, id: string, token: string | undefined) {
    if (request.headers[DELIVERY_HEADER] !== undefined) {
      throw new AppError(
        'invalid',
        'Echora-Delivery: this request forwards an Echora outgoing webhook delivery; ' +
          'posting it back would loop (skip events whose data names a webhookId)',
      );
    }
    const stored = await findWebhook(app.db, id);
    if (!stored || !token || !secretMatches(token, stored.tokenHash)) {
      throw new AppError('unauthorized', 'Unknown webhook or wrong token.');
    }
    const { authorId } = stored.webhook;
    const { payload, files } = await readPost(request);
    try {
      const checked = checkPost(payload);
      if (!checked.ok) throw new AppError('invalid', checked.error.message);
      // A refused payload writes nothing: only posts count against the rates.
      const content = webhookText(checked.value, files.length > 0);
      const wait = limiter.take(id);
      if (wait > 0) throw new AppError('rate_limited', 'This webhook posts too often.', wait);
      for (const _ of files) uploadLimit.hit(authorId);
      const quota = app.config.uploadQuotaBytes;
      if (files.length > 0) checkQuota(await usedBytes(app.db, authorId), 1, quota);
      const attachments = [];
      for (const file of files) {
        attachments.push(
          toAttachment(await storeUpload(app.db, options.storage, authorId, file, quota)),
        );
      }
      return {
        message: await postWebhookMessage(
          app.writer,
          stored.webhook,
          await app.sync.deps.access.get(),
          content,
          attachments,
        ),
      };
    } finally {
      await Promise.all(files.map((f) => f.discard()));
    }
  }

  const quiet = { logLevel: 'warn' as const };
  app.post(
    '/webhooks/:id/:token',
    {
      ...quiet,
      schema: { params: executeParams, body: webhookBodySchema, response: { 200: posted } },
    },
    async (request) => execute(request, request.params.id, request.params.token),
  );
  app.post(
    '/webhooks/:id',
    {
      ...quiet,
      schema: {
        params: idParams,
        headers: tokenHeaders,
        body: webhookBodySchema,
        response: { 200: posted },
      },
    },
    async (request) => execute(request, request.params.id, request.headers[WEBHOOK_TOKEN_HEADER]),
  );

  done();
};
