import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const password = 'correct horse battery';

describeEachDb('auth: sessions, expiry, rate limits', (getDb) => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      auth: {
        accessTtlSeconds: 1,
        loginPerUsername: { max: 3, windowMs: 60_000 },
        loginPerIp: { max: 100, windowMs: 60_000 },
        registerPerIp: { max: 100, windowMs: 60_000 },
      },
    });
  });
  afterAll(() => app.close());

  const refresh = (payload?: object, cookie?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      ...(payload ? { payload } : {}),
      ...(cookie ? { cookies: { echora_refresh: cookie } } : {}),
    });
  const me = (token: string) =>
    app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });

  it('lets an access token expire after its TTL', async () => {
    const { accessToken } = await registerUser(app, 'expiring', password);
    expect((await me(accessToken)).statusCode).toBe(200);
    await sleep(2100);
    const response = await me(accessToken);
    expect(response.statusCode).toBe(401);
    expect(response.json<{ error: { kind: string } }>().error.kind).toBe('unauthorized');
  });

  it('rotates the refresh token (body or cookie) and revokes the family when an old one is reused', async () => {
    const session = await registerUser(app, 'rotator', password);
    const first = await refresh({ refreshToken: session.refreshToken });
    expect(first.statusCode).toBe(200);
    const second = first.json<{ refreshToken: string; accessToken: string }>();
    expect(second.refreshToken).not.toBe(session.refreshToken);
    expect((await me(second.accessToken)).statusCode).toBe(200);

    const third = await refresh(undefined, second.refreshToken);
    expect(third.statusCode).toBe(200);
    const latest = third.json<{ refreshToken: string }>().refreshToken;
    expect(String(third.headers['set-cookie'])).toContain(`echora_refresh=${latest}`);

    // The first token was rotated away: presenting it again looks like theft.
    const reuse = await refresh({ refreshToken: session.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json<{ error: { kind: string } }>().error.kind).toBe('unauthorized');
    // ...and the thief's rival, the newest token, is dead too.
    expect((await refresh({ refreshToken: latest })).statusCode).toBe(401);
  });

  it('refuses a missing or unknown refresh token with 401', async () => {
    expect((await refresh()).statusCode).toBe(401);
    expect((await refresh({ refreshToken: 'nope' })).statusCode).toBe(401);
    expect((await refresh({ refreshToken: 7 })).statusCode).toBe(400);
  });

  it('logs out: the session stops refreshing and the cookie is cleared', async () => {
    const session = await registerUser(app, 'leaver', password);
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { echora_refresh: session.refreshToken },
    });
    expect(response.statusCode).toBe(204);
    expect(String(response.headers['set-cookie'])).toMatch(
      /echora_refresh=;.*Expires=Thu, 01 Jan 1970/,
    );
    expect((await refresh({ refreshToken: session.refreshToken })).statusCode).toBe(401);
    // Another login of the same user is a separate session and still works.
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'leaver', password },
    });
    const other = login.json<{ refreshToken: string }>().refreshToken;
    expect((await refresh({ refreshToken: other })).statusCode).toBe(200);
  });

  it('rate-limits login per username with 429 and Retry-After', async () => {
    await registerUser(app, 'limited', password);
    const attempt = (username: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: 'wrong password' },
      });
    // The login above this test used 'leaver'; 'limited' starts fresh.
    for (let i = 0; i < 3; i++) expect((await attempt('limited')).statusCode).toBe(401);
    const limited = await attempt('LIMITED');
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ error: { kind: string } }>().error.kind).toBe('rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other usernames are not affected.
    expect((await attempt('someoneelse')).statusCode).toBe(401);
  });
});
