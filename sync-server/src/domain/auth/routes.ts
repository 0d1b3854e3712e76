import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from 'typebox';
import { AppError, RemovedError } from '@echora/shared';
import {
  loginBodySchema,
  meResponseSchema,
  refreshBodySchema,
  registerBodySchema,
  sessionResponseSchema,
  type RefreshBody,
  type SessionResponse,
  type TokenDelivery,
} from '@echora/shared/protocol/rest/auth';
import { clearMediaCookie } from '../files/media-cookie.ts';
import { removalOf } from '../moderation/removal.ts';
import { login, register, type AuthHooks, type SignedIn } from './accounts.ts';
import { LoginGuard, type LoginBackstop } from './login-guard.ts';
import { RateLimiter, type RateLimit } from './rate-limit.ts';
import { endSession, refreshTokenOwner, rotateSession } from './sessions.ts';
import { signAccessToken } from './tokens.ts';
import { findUserById, toAuthUser } from './users.ts';

/** The refresh cookie: httpOnly, and only ever sent to the auth routes. */
export const REFRESH_COOKIE = 'echora_refresh';
const COOKIE_PATH = '/api/auth';
// Web clients may post no body at all (Fastify then validates null): the cookie carries the token.
const optionalRefreshBody = Type.Union([refreshBodySchema, Type.Null(), Type.Undefined()]);

/** Knobs for the auth routes; tests shorten the TTLs and limits. */
export interface AuthOptions {
  hooks?: AuthHooks;
  /** Default: `ACCESS_TTL_SECONDS`. */
  accessTtlSeconds?: number;
  /** Default: `REFRESH_TTL_SECONDS`. */
  refreshTtlSeconds?: number;
  /** Login attempts per IP. */
  loginPerIp?: RateLimit;
  /** Login attempts per username (any letter case) from one IP. */
  loginPerUsername?: RateLimit;
  /** The delay for a username guessed at from many IPs (see {@link LoginBackstop}). */
  loginBackstop?: LoginBackstop;
  /** Registrations per IP. */
  registerPerIp?: RateLimit;
}

/** `/api/auth/*` and `/api/me`. Register under the `/api` prefix. */
export const authRoutes: FastifyPluginCallback<AuthOptions> = (base, options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const perMinute = (max: number): RateLimit => ({ max, windowMs: 60_000 });
  const limit = app.config.authRateLimit;
  const loginGuard = new LoginGuard({
    perIp: options.loginPerIp ?? perMinute(limit * 3),
    perUsernameAndIp: options.loginPerUsername ?? perMinute(limit),
    // Ten addresses' worth of wrong passwords a minute go free; then 250 ms
    // more per failure, up to 5 s per attempt.
    backstop: options.loginBackstop ?? {
      freeFailures: limit * 10,
      windowMs: 60_000,
      delayPerFailureMs: 250,
      maxDelayMs: 5_000,
    },
  });
  const registerPerIp = new RateLimiter(options.registerPerIp ?? perMinute(limit), 'registrations');
  const accessTtl = options.accessTtlSeconds ?? app.config.accessTtlSeconds;
  const refreshTtl = options.refreshTtlSeconds ?? app.config.refreshTtlSeconds;
  // A former member who logs in again rejoins through the sync engine, which publishes it.
  const hooks: AuthHooks = { ...options.hooks };
  if (!hooks.memberJoined && app.hasDecorator('sync')) {
    hooks.memberJoined = (tx, userId) => app.sync.addMember(tx, userId);
  }

  /**
   * The session's answer. The refresh token goes either in an httpOnly
   * cookie (browsers: every tab shares it, no script can read it) or in the
   * body (native apps), never both.
   */
  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    session: SignedIn,
    delivery: TokenDelivery,
  ): Promise<SessionResponse> {
    const accessToken = await signAccessToken(
      app.config.jwtSecret,
      { userId: session.user.id, sessionId: session.refresh.familyId },
      accessTtl,
    );
    if (delivery === 'body') {
      return { user: session.user, accessToken, refreshToken: session.refresh.token };
    }
    reply.setCookie(REFRESH_COOKIE, session.refresh.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: COOKIE_PATH,
      maxAge: refreshTtl,
    });
    return { user: session.user, accessToken };
  }

  /** The token a refresh or logout presents (the body's, else the cookie's), and how it came. */
  function presented(
    request: FastifyRequest,
    body: RefreshBody | null | undefined,
  ): { token: string; via: TokenDelivery } | undefined {
    if (body?.refreshToken) return { token: body.refreshToken, via: 'body' };
    const cookie = request.cookies[REFRESH_COOKIE];
    return cookie ? { token: cookie, via: 'cookie' } : undefined;
  }

  app.post(
    '/auth/register',
    { schema: { body: registerBodySchema, response: { 201: sessionResponseSchema } } },
    async (request, reply) => {
      registerPerIp.hit(request.ip);
      const session = await register(app.db, request.body, hooks);
      const delivery = request.body.tokenDelivery ?? 'cookie';
      return reply.status(201).send(await answer(request, reply, session, delivery));
    },
  );

  app.post(
    '/auth/login',
    { schema: { body: loginBodySchema, response: { 200: sessionResponseSchema } } },
    async (request, reply) => {
      const { username } = request.body;
      const delay = loginGuard.admit(username, request.ip);
      if (delay > 0) await sleep(delay);
      let session: SignedIn;
      try {
        session = await login(app.db, request.body, hooks);
      } catch (error) {
        if (error instanceof AppError && error.kind === 'unauthorized') loginGuard.failed(username);
        throw error;
      }
      return answer(request, reply, session, request.body.tokenDelivery ?? 'cookie');
    },
  );

  app.post(
    '/auth/refresh',
    { schema: { body: optionalRefreshBody, response: { 200: sessionResponseSchema } } },
    async (request, reply) => {
      const token = presented(request, request.body);
      if (!token) throw new AppError('unauthorized', 'No refresh token');
      const delivery = request.body?.tokenDelivery ?? token.via;
      if (token.via === 'cookie' && delivery === 'body') {
        // A script in the page could otherwise trade the httpOnly cookie for a token it can read.
        throw new AppError('invalid', 'A refresh token sent as a cookie is renewed as a cookie');
      }
      const refresh = await rotateSession(app.db, token.token, refreshTtl, (reused) => {
        // Ids only: tokens never reach the log.
        request.log.warn(reused, 'refresh token reused: session revoked');
      }).catch(async (error: unknown) => {
        // A session ended by a kick or ban says so to its holder (an app that
        // was offline then): it forgets what it held instead of asking for a login.
        const owner = await refreshTokenOwner(app.db, token.token);
        const removal = owner === undefined ? undefined : await removalOf(app.db, owner);
        throw removal ? new RemovedError(removal) : error;
      });
      const row = await findUserById(app.db, refresh.userId);
      if (!row) throw new AppError('unauthorized', 'Refresh token is invalid or expired');
      const removal = await removalOf(app.db, row.id);
      if (removal?.reason === 'ban') throw new RemovedError(removal);
      return answer(request, reply, { user: toAuthUser(row), refresh }, delivery);
    },
  );

  app.post('/auth/logout', { schema: { body: optionalRefreshBody } }, async (request, reply) => {
    const token = presented(request, request.body);
    if (token) await endSession(app.db, token.token);
    reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
    // The media cookie holds an access token: it must not outlive the session in this browser.
    clearMediaCookie(reply);
    return reply.status(204).send();
  });

  app.get(
    '/me',
    { preHandler: app.authenticate, schema: { response: { 200: meResponseSchema } } },
    async (request) => {
      const row = await findUserById(app.db, request.user.id);
      if (!row) throw new AppError('unauthorized', 'This account no longer exists');
      return { user: toAuthUser(row) };
    },
  );
  done();
};
