import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import { TypeBoxValidatorCompiler, registerAjvFormats } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import { redaction } from './logger.ts';
import type { Db } from './db/types.ts';
import type { AuthHooks } from './domain/auth/accounts.ts';
import { authRoutes, type AuthOptions } from './domain/auth/routes.ts';
import { emojiRoutes } from './domain/emoji/routes.ts';
import { pinRoutes } from './domain/pins/routes.ts';
import { messageRoutes } from './domain/messages/routes.ts';
import { searchRoutes } from './domain/search/routes.ts';
import { backfillSearch } from './domain/search/backfill.ts';
import { registerFiles } from './domain/files/plugin.ts';
import { botRoutes } from './domain/bots/routes.ts';
import { webhookRoutes } from './domain/webhooks-in/routes.ts';
import { httpMutationRoutes } from './sync/http-mutations.ts';
import { healthRoutes } from './domain/health/routes.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { registerApiDocs } from './plugins/api-docs.ts';
import { auditRoutes } from './domain/audit/routes.ts';
import { communityRoutes } from './domain/community/routes.ts';
import { inviteRoutes } from './domain/invites/routes.ts';
import { moderationRoutes } from './domain/moderation/routes.ts';
import { reportRoutes } from './domain/dms/routes.ts';
import { registerVoice } from './domain/voice/routes.ts';
import { registerPush, type PushOptions } from './domain/push/plugin.ts';
import { pushRoutes } from './domain/push/routes.ts';
import { registerClient } from './plugins/client.ts';
import { registerWebhookDeliveries } from './domain/webhooks/plugin.ts';
import { outgoingWebhookRoutes } from './domain/webhooks/routes.ts';
import type { DeliveryOptions } from './domain/webhooks/worker.ts';
import { registerLinkPreviews } from './domain/previews/plugin.ts';
import type { PreviewOptions } from './domain/previews/worker.ts';
import type { Resolver } from './net/address-policy.ts';
import { registerOutbound } from './net/plugin.ts';
import { registerContext } from './plugins/context.ts';
import { registerErrorHandler } from './plugins/errors.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import type { FileStorage } from './storage/index.ts';
import type { SyncOptions } from './sync/deps.ts';
import { registerSync } from './sync/plugin.ts';
import { registerRetention } from './sync/retention.ts';
import { registerPollSweep } from './domain/polls/sweep.ts';

/** What {@link buildApp} needs. */
export interface BuildAppOptions {
  config: Config;
  db: Db;
  /** Extension points other domains plug into (see {@link AuthHooks}). */
  hooks?: AuthHooks;
  /** Auth TTLs and rate limits; tests use small numbers. */
  auth?: Omit<AuthOptions, 'hooks'>;
  /** Sync engine tunables (send rate, presence expiry); tests use small numbers. */
  sync?: Partial<SyncOptions>;
  /** File storage; else the backend `STORAGE_BACKEND` names (tests pass an S3 one). */
  storage?: FileStorage;
  /** A ready pino logger; else one is made at `config.logLevel`. */
  logger?: FastifyBaseLogger;
  /** Web Push tunables; tests send to a push service on loopback. */
  push?: Partial<PushOptions>;
  /** Posts per incoming webhook per window (default 30 a minute); tests use small numbers. */
  webhookRate?: { capacity: number; windowMs: number };
  /** Outgoing webhook retries and polling; tests use small numbers and drive the worker. */
  webhooks?: Partial<DeliveryOptions>;
  /** Link preview polling, caps and cache times; tests use small numbers and drive the worker. */
  linkPreviews?: Partial<PreviewOptions>;
  /** How outbound requests resolve host names; tests pass a hosts-style table. */
  resolver?: Resolver;
}

/**
 * Builds the Fastify app without listening: server.ts listens, tests use
 * `app.inject` or listen on port 0. The caller owns `db` and closes it.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const trustProxy = config.trustProxy;
  const app = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger }
      : { logger: { level: config.logLevel, ...redaction } }),
    // A hop count becomes "trust the nearest N proxies".
    trustProxy:
      typeof trustProxy === 'number'
        ? (_address: string, hop: number) => hop < trustProxy
        : trustProxy,
    routerOptions: { maxParamLength: 200 },
    // A malformed URL or an over-long path parameter is refused by the router
    // before the error handler: answer it as a typed error too.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .status(400)
        .send({ error: { kind: 'invalid', message: error.message } });
    },
  }) as FastifyInstance;
  // TypeBox checks bodies as sent (Fastify's default Ajv would turn 42 into
  // "42"), and still converts querystrings and params, which are all text.
  registerAjvFormats();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerContext(app, config, db);
  registerOutbound(app, options.resolver);
  registerErrorHandler(app);
  await app.register(fastifyCookie);
  await registerSecurityHeaders(app);
  if (config.corsOrigins.length > 0) {
    await app.register(fastifyCors, { origin: config.corsOrigins, credentials: true });
  }

  await registerApiDocs(app);
  await app.register(healthRoutes);
  if (config.metricsToken && !config.metricsAddr) {
    await app.register(metricsRoutes, { token: config.metricsToken });
  }
  const hooks = await registerSync(app, { hooks: options.hooks, options: options.sync });
  registerRetention(app, config.mutationRetentionDays);
  registerPollSweep(app);
  // Messages from before search existed are indexed before the server answers.
  app.addHook('onReady', async () => {
    const indexed = await backfillSearch(db);
    if (indexed > 0) app.log.info({ indexed }, 'search index filled in');
  });
  await registerVoice(app);
  const push = registerPush(app, options.push);
  registerWebhookDeliveries(app, options.webhooks);
  registerLinkPreviews(app, options.linkPreviews);
  await app.register(
    async (api) => {
      await api.register(authRoutes, {
        ...options.auth,
        hooks,
      });
      await api.register(emojiRoutes);
      await api.register(pinRoutes);
      await api.register(messageRoutes);
      await api.register(searchRoutes);
      const storage = await registerFiles(api, options.storage);
      app.linkPreviews.useStorage(storage);
      await api.register(botRoutes, { storage });
      await api.register(webhookRoutes, { storage, rate: options.webhookRate });
      await api.register(httpMutationRoutes);
      await api.register(moderationRoutes);
      await api.register(auditRoutes);
      await api.register(inviteRoutes);
      await api.register(communityRoutes);
      await api.register(pushRoutes, push);
      await api.register(reportRoutes);
      await api.register(outgoingWebhookRoutes);
      // Other domains register their /api routes here.
    },
    { prefix: '/api' },
  );

  await registerClient(app, config.clientDist);
  return app;
}
