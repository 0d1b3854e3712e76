import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@echora/shared';
import type { Config } from '../config.ts';
import type { Db } from '../db/types.ts';
import { verifyAccessToken } from '../domain/auth/tokens.ts';
import { verifyBotToken } from '../domain/bots/tokens.ts';

/** Who made an authenticated request. */
export interface RequestUser {
  id: string;
  /** The refresh-token family (one per login) the access token belongs to; '' for a bot. */
  sessionId: string;
  /** Set when the request came with `Authorization: Bot <token>`. */
  bot?: true;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    /**
     * A preHandler that checks `Authorization: Bearer <access token>` (or
     * `Bot <bot token>`) and sets `request.user`, or answers 401 `unauthorized`.
     * Use as `{ preHandler: app.authenticate }`.
     */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    /** Set by `app.authenticate`; read it only in routes that use it. */
    user: RequestUser;
  }
}

/** Decorates the root instance with the db, the config and `authenticate`. */
export function registerContext(app: FastifyInstance, config: Config, db: Db): void {
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorateRequest('user', null as unknown as RequestUser);
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header?.startsWith('Bot ')) {
      const userId = await verifyBotToken(db, header.slice(4).trim());
      if (!userId) throw new AppError('unauthorized', 'Bot token is invalid or was revoked');
      request.user = { id: userId, sessionId: '', bot: true };
      return;
    }
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new AppError('unauthorized', 'Missing Authorization: Bearer token');
    const claims = await verifyAccessToken(config.jwtSecret, token);
    if (!claims) throw new AppError('unauthorized', 'Access token is invalid or expired');
    request.user = { id: claims.userId, sessionId: claims.sessionId };
  });
}
