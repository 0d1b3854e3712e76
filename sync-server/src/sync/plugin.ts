import type { FastifyInstance } from 'fastify';
import type { AuthHooks } from '../domain/auth/accounts.ts';
import { verifyAccessToken } from '../domain/auth/tokens.ts';
import { isBotToken, verifyBotToken } from '../domain/bots/tokens.ts';
import { createSyncEngine, syncOptionsFromConfig, type SyncEngine } from './engine.ts';
import type { SyncOptions } from './deps.ts';
import type { Writer } from '../write/writer.ts';

export interface RegisterSyncOptions {
  /** Hooks of other domains to keep; the returned hooks run them too. */
  hooks?: AuthHooks | undefined;
  /** Overrides of the engine's tunables (tests); the environment is read otherwise. */
  options?: Partial<SyncOptions> | undefined;
  /** Redis key and channel prefix (tests use a unique one). */
  redisPrefix?: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This node's sync engine (bus, hub, presence, permission cache). */
    sync: SyncEngine;
    /** Commits and publishes REST writes: `app.writer.commitAndPublish(...)`. */
    writer: Writer;
  }
}

/**
 * Starts the sync engine on `app.db` and `app.config`, registers
 * `GET /api/sync`, and closes the engine with the app. Returns the auth hooks
 * with `afterUserCreated` making every new user a member.
 */
export async function registerSync(
  app: FastifyInstance,
  { hooks, options, redisPrefix }: RegisterSyncOptions = {},
): Promise<AuthHooks> {
  const { config, db } = app;
  const prefix = redisPrefix ?? config.redisPrefix;
  const engine = await createSyncEngine({
    db,
    redisUrl: config.redisUrl,
    // A bot sends its token (`ebot_…`, or `Bot ebot_…`) in the auth frame as a person sends a JWT.
    verifyToken: async (sent) => {
      const token = sent.startsWith('Bot ') ? sent.slice(4) : sent;
      if (isBotToken(token)) return verifyBotToken(db, token);
      return (await verifyAccessToken(config.jwtSecret, token))?.userId ?? null;
    },
    log: app.log,
    options: { ...syncOptionsFromConfig(config), ...options },
    // REDIS_PREFIX lets several installs (or test runs) share one Redis.
    ...(prefix ? { redisPrefix: prefix } : {}),
  });
  app.decorate('sync', engine);
  app.decorate('writer', engine.deps.writer);
  await app.register((instance) => engine.routes(instance));
  app.addHook('preClose', async () => engine.close());
  return {
    ...hooks,
    async afterUserCreated(tx, user) {
      const theirs = await hooks?.afterUserCreated?.(tx, user);
      const ours = await engine.addMember(tx, user.id);
      return async () => {
        await theirs?.();
        await ours();
      };
    },
  };
}
