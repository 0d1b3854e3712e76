import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '@echora/shared';
import {
  loginBodySchema,
  meResponseSchema,
  refreshBodySchema,
  registerBodySchema,
  sessionResponseSchema,
  type SessionResponse,
} from '@echora/shared/protocol/rest/auth';
import { login, refuseBanned, register, type AuthHooks, type SignedIn } from './accounts.ts';
import { RateLimiter, type RateLimit } from './rate-limit.ts';
import { REFRESH_TTL_SECONDS, endSession, rotateSession } from './sessions.ts';
import { ACCESS_TTL_SECONDS, signAccessToken } from './tokens.ts';
import { findUserById, toAuthUser } from './users.ts';

/** The refresh cookie: httpOnly, and only ever sent to the auth routes. */
export const REFRESH_COOKIE = 'echora_refresh';
const COOKIE_PATH = '/api/auth';
// Web clients post no body at all (Fastify then validates null): the cookie carries the token.
const optionalRefreshBody = Type.Union([refreshBodySchema, Type.Null(), Type.Undefined()]);

/** Knobs for the auth routes; tests shorten the TTLs and limits. */
export interface AuthOptions {
  hooks?: AuthHooks;
  accessTtlSeconds?: number;
  refreshTtlSeconds?: number;
  /** Login attempts per IP. */
  loginPerIp?: RateLimit;
  /** Login attempts per username (any letter case), from anywhere. */
  loginPerUsername?: RateLimit;
  /** Registrations per IP. */
  registerPerIp?: RateLimit;
}

/** `/api/auth/*` and `/api/me`. Register under the `/api` prefix. */
export const authRoutes: FastifyPluginCallback<AuthOptions> = (base, options, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const perMinute = (max: number): RateLimit => ({ max, windowMs: 60_000 });
  const limit = app.config.authRateLimit;
  const loginPerIp = new RateLimiter(options.loginPerIp ?? perMinute(limit * 3), 'login attempts');
  const loginPerName = new RateLimiter(
    options.loginPerUsername ?? perMinute(limit),
    'login attempts',
  );
  const registerPerIp = new RateLimiter(options.registerPerIp ?? perMinute(limit), 'registrations');
  const accessTtl = options.accessTtlSeconds ?? ACCESS_TTL_SECONDS;
  // A former member who logs in again rejoins through the sync engine, which publishes it.
  const hooks: AuthHooks = { ...options.hooks };
  if (!hooks.memberJoined && app.hasDecorator('sync')) {
    hooks.memberJoined = (tx, userId) => app.sync.addMember(tx, userId);
  }
  const refreshTtl = options.refreshTtlSeconds ?? REFRESH_TTL_SECONDS;

  async function answer(request: FastifyRequest, reply: FastifyReply, session: SignedIn) {
    reply.setCookie(REFRESH_COOKIE, session.refresh.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: COOKIE_PATH,
      maxAge: refreshTtl,
    });
    const accessToken = await signAccessToken(
      app.config.jwtSecret,
      { userId: session.user.id, sessionId: session.refresh.familyId },
      accessTtl,
    );
    return {
      user: session.user,
      accessToken,
      refreshToken: session.refresh.token,
    } satisfies SessionResponse;
  }

  const presentedToken = (
    request: FastifyRequest,
    body: { refreshToken?: string } | null | undefined,
  ) => body?.refreshToken ?? request.cookies[REFRESH_COOKIE];

  app.post(
    '/auth/register',
    { schema: { body: registerBodySchema, response: { 201: sessionResponseSchema } } },
    async (request, reply) => {
      registerPerIp.hit(request.ip);
      const session = await register(app.db, request.body, hooks);
      return reply.status(201).send(await answer(request, reply, session));
    },
  );

  app.post(
    '/auth/login',
    { schema: { body: loginBodySchema, response: { 200: sessionResponseSchema } } },
    async (request, reply) => {
      loginPerIp.hit(request.ip);
      loginPerName.hit(request.body.username.slice(0, 64).toLowerCase());
      return answer(request, reply, await login(app.db, request.body, hooks));
    },
  );

  app.post(
    '/auth/refresh',
    { schema: { body: optionalRefreshBody, response: { 200: sessionResponseSchema } } },
    async (request, reply) => {
      const token = presentedToken(request, request.body);
      if (!token) throw new AppError('unauthorized', 'No refresh token');
      const refresh = await rotateSession(app.db, token, refreshTtl);
      const row = await findUserById(app.db, refresh.userId);
      if (!row) throw new AppError('unauthorized', 'Refresh token is invalid or expired');
      await refuseBanned(app.db, row.id);
      return answer(request, reply, { user: toAuthUser(row), refresh });
    },
  );

  app.post('/auth/logout', { schema: { body: optionalRefreshBody } }, async (request, reply) => {
    const token = presentedToken(request, request.body);
    if (token) await endSession(app.db, token);
    reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
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
