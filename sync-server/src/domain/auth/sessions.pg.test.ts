import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';

const password = 'correct horse battery';

describeEachDb('auth: sessions, expiry, rate limits', (getDb) => {
  let app: FastifyInstance;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) },
    );
    app = await createTestApp(getDb(), {
      logger,
      auth: {
        accessTtlSeconds: 60,
        loginPerUsername: { max: 3, windowMs: 60_000 },
        loginPerIp: { max: 100, windowMs: 60_000 },
        registerPerIp: { max: 100, windowMs: 60_000 },
        loginBackstop: {
          freeFailures: 4,
          windowMs: 60_000,
          delayPerFailureMs: 150,
          maxDelayMs: 400,
        },
      },
    });
  });
  afterAll(() => app.close());
  afterEach(() => vi.useRealTimers());

  const refresh = (payload?: object, cookie?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      ...(payload ? { payload } : {}),
      ...(cookie ? { cookies: { echora_refresh: cookie } } : {}),
    });
  const me = (token: string) =>
    app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });
  const signIn = (username: string, extra: object = {}, remoteAddress = '127.0.0.1') =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress,
      payload: { username, password, ...extra },
    });
  /** The refresh token a response set as a cookie. */
  const refreshCookie = (response: { cookies: { name: string; value: string }[] }) => {
    const value = response.cookies.find((c) => c.name === 'echora_refresh')?.value;
    if (!value) throw new Error('no refresh cookie');
    return value;
  };

  it('lets an access token expire after its TTL', async () => {
    const { accessToken } = await registerUser(app, 'expiring', password);
    expect((await me(accessToken)).statusCode).toBe(200);
    // Only the clock moves: past the 60 s lifetime the same token is refused.
    // Expiry is in whole seconds from the issue time rounded down, so a check
    // 59 s later could already be in second 60 (it failed a CI run whenever
    // the token was signed in a second's last ~60 ms): 58 s is always inside.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 58_000);
    expect((await me(accessToken)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 3_000);
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

    // Sent as a cookie, the token is renewed as a cookie only.
    const third = await refresh(undefined, second.refreshToken);
    expect(third.statusCode).toBe(200);
    expect(third.json()).not.toHaveProperty('refreshToken');
    const latest = refreshCookie(third);
    expect(latest).not.toBe(second.refreshToken);

    // The first token was rotated away: presenting it again looks like theft.
    logged.length = 0;
    const reuse = await refresh({ refreshToken: session.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json<{ error: { kind: string } }>().error.kind).toBe('unauthorized');
    // ...and the thief's rival, the newest token, is dead too.
    expect((await refresh(undefined, latest)).statusCode).toBe(401);
    // The server says so in its log, by ids, never by token.
    const warning = logged.find((line) => line.msg === 'refresh token reused: session revoked');
    expect(warning).toMatchObject({ level: 40, userId: session.user.id });
    expect(JSON.stringify(logged)).not.toContain(session.refreshToken);
  });

  it('gives browsers the refresh token only as a cookie and native clients only in the body', async () => {
    const cookieLogin = await signIn('rotator');
    expect(cookieLogin.statusCode).toBe(200);
    expect(cookieLogin.json()).not.toHaveProperty('refreshToken');
    const cookie = refreshCookie(cookieLogin);
    const renewed = await refresh(undefined, cookie);
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json()).not.toHaveProperty('refreshToken');
    const next = refreshCookie(renewed);

    const bodyLogin = await signIn('rotator', { tokenDelivery: 'body' });
    expect(bodyLogin.statusCode).toBe(200);
    expect(bodyLogin.headers['set-cookie']).toBeUndefined();
    const token = bodyLogin.json<{ refreshToken: string }>().refreshToken;
    expect(token).toMatch(/^[\w-]{43}$/);
    const rotated = await refresh({ refreshToken: token });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['set-cookie']).toBeUndefined();
    expect(rotated.json<{ refreshToken: string }>().refreshToken).not.toBe(token);

    // A page script must not trade the httpOnly cookie for a token it could read.
    const leak = await refresh({ tokenDelivery: 'body' }, next);
    expect(leak.statusCode).toBe(400);
    expect(leak.json()).toEqual({
      error: {
        kind: 'invalid',
        message: 'A refresh token sent as a cookie is renewed as a cookie',
      },
    });
    // The refused request rotated nothing: the cookie still works.
    expect((await refresh(undefined, next)).statusCode).toBe(200);

    // A client holding a body token may move to the cookie (the web client's migration).
    const moved = await refresh({
      refreshToken: rotated.json<{ refreshToken: string }>().refreshToken,
      tokenDelivery: 'cookie',
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).not.toHaveProperty('refreshToken');
    expect((await refresh(undefined, refreshCookie(moved))).statusCode).toBe(200);
    expect((await refresh({ tokenDelivery: 'bearer' })).statusCode).toBe(400);
  });

  it('refuses a missing or unknown refresh token with 401', async () => {
    expect((await refresh()).statusCode).toBe(401);
    expect((await refresh({ refreshToken: 'nope' })).statusCode).toBe(401);
    expect((await refresh({ refreshToken: 7 })).statusCode).toBe(400);
  });

  it('logs out: the session stops refreshing and the refresh and media cookies are cleared', async () => {
    const session = await registerUser(app, 'leaver', password);
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { echora_refresh: session.refreshToken },
    });
    expect(response.statusCode).toBe(204);
    const cleared = [response.headers['set-cookie']].flat().map(String);
    expect(cleared).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^echora_refresh=;.*Path=\/api\/auth;.*Expires=Thu, 01 Jan 1970/),
        expect.stringMatching(/^echora_media=;.*Path=\/api\/files;.*Expires=Thu, 01 Jan 1970/),
      ]),
    );
    expect((await refresh({ refreshToken: session.refreshToken })).statusCode).toBe(401);
    // Another login of the same user is a separate session and still works.
    const other = await signIn('leaver', { tokenDelivery: 'body' });
    const token = other.json<{ refreshToken: string }>().refreshToken;
    expect((await refresh({ refreshToken: token })).statusCode).toBe(200);
  });

  it('rate-limits login per username and address with 429 and Retry-After', async () => {
    await registerUser(app, 'limited', password);
    const attempt = (username: string, address = '10.0.0.1') =>
      signIn(username, { password: 'wrong password' }, address);
    for (let i = 0; i < 3; i++) expect((await attempt('limited')).statusCode).toBe(401);
    const limited = await attempt('LIMITED');
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ error: { kind: string } }>().error.kind).toBe('rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Other usernames from that address are not affected.
    expect((await attempt('someoneelse')).statusCode).toBe(401);
  });

  it('does not let wrong passwords from one address lock the user out of another', async () => {
    await registerUser(app, 'victim', password);
    // Eleven wrong passwords in a minute from the attacker's address...
    for (let i = 0; i < 11; i++) {
      const wrong = await signIn('victim', { password: 'guess number ' + i }, '203.0.113.9');
      expect([401, 429]).toContain(wrong.statusCode);
    }
    expect((await signIn('victim', {}, '203.0.113.9')).statusCode).toBe(429);
    // ...and the owner of the account still logs in from home.
    expect((await signIn('victim', {}, '198.51.100.7')).statusCode).toBe(200);
  });

  it('delays, never refuses, logins to a username guessed at from many addresses', async () => {
    await registerUser(app, 'besieged', password);
    // The backstop lets 4 failures a minute go free; each one more adds 150 ms.
    for (let i = 0; i < 6; i++) {
      const wrong = await signIn('besieged', { password: 'wrong password' }, `10.9.0.${i + 1}`);
      expect(wrong.statusCode).toBe(401);
    }
    const startedAt = performance.now();
    const owner = await signIn('besieged', {}, '10.9.1.1');
    const took = performance.now() - startedAt;
    expect(owner.statusCode).toBe(200);
    // Two failures over the allowance: at least 300 ms of delay before the check.
    expect(took).toBeGreaterThanOrEqual(300);
  });
});
