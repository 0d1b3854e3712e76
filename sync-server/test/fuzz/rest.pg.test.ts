/**
 * Fuzzes every REST route (auth, /api/me, voice grant and state, moderation,
 * audit log, invites, community, bots, webhooks, /api/mutations, healthz)
 * with random and adversarial bodies, headers and raw texts: a client mistake
 * is a typed 4xx `{error:{kind,message}}`, never a 5xx, and changes no row.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorKind } from '@echora/shared';
import { createTestApp, registerUser } from '../helpers/app.ts';
import { describeEachDb } from '../helpers/db.ts';
import { fingerprint } from './fingerprint.ts';
import {
  fuzzParams,
  hostileString,
  hostileText,
  hostileValue,
  mangled,
  prototypeClean,
} from './hostile.ts';

const routes = [
  ['POST', '/api/auth/register'],
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/refresh'],
  ['POST', '/api/auth/logout'],
  ['GET', '/api/me'],
  ['POST', '/api/voice/grant'],
  ['GET', '/api/voice/state'],
  ['POST', '/api/voice/moderate'],
  ['POST', '/api/moderation/kick'],
  ['POST', '/api/moderation/ban'],
  ['POST', '/api/moderation/timeout'],
  ['GET', '/api/moderation/bans'],
  ['DELETE', '/api/moderation/bans/not-a-uuid'],
  ['GET', '/api/audit-log?before=x&limit=1000'],
  ['POST', '/api/invites'],
  ['GET', '/api/invites'],
  ['GET', '/api/invites/abc'],
  ['DELETE', '/api/invites/abc'],
  ['GET', '/api/community'],
  ['PATCH', '/api/community'],
  ['POST', '/api/emoji?name=fuzz_one'],
  ['DELETE', '/api/emoji/not-a-uuid'],
  ['GET', '/api/emoji/00000000-0000-7000-8000-000000000001'],
  ['GET', '/api/channels/not-a-uuid/pins'],
  ['POST', '/api/mutations'],
  ['GET', '/api/bots'],
  ['POST', '/api/bots'],
  ['POST', '/api/bots/not-a-uuid/token'],
  ['DELETE', '/api/bots/00000000-0000-7000-8000-000000000001'],
  ['GET', '/api/channels/not-a-uuid/webhooks'],
  ['POST', '/api/channels/00000000-0000-7000-8000-000000000001/webhooks'],
  ['POST', '/api/webhooks/00000000-0000-7000-8000-000000000001/abc'],
  ['POST', '/api/webhooks/not-a-uuid'],
  ['GET', '/healthz'],
] as const;
/** HTTP cannot carry control characters or non-latin1 in a header: those become '?'. */
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

const kinds = new Set<string>(Object.values(ErrorKind));

describeEachDb('REST fuzz', (getDb) => {
  let app: FastifyInstance;
  const secrets = { token: '', refresh: '' };

  beforeAll(async () => {
    app = await createTestApp(getDb());
    const owner = await registerUser(app, 'fuzzowner');
    Object.assign(secrets, { token: owner.accessToken, refresh: owner.refreshToken });
  });
  afterAll(async () => {
    await app.close();
  });

  const body = fc.oneof(
    mangled(
      fc.record({
        username: fc.oneof(fc.constant('fuzzowner'), hostileString),
        password: fc.oneof(fc.constant('correct horse battery'), hostileString),
        refreshToken: fc.oneof(fc.constant('REFRESH'), hostileString),
        channelId: fc.oneof(fc.uuid(), hostileString),
        userId: fc.oneof(fc.uuid(), hostileString),
        mute: fc.oneof(fc.boolean(), hostileString),
      }),
    ).map((v) => JSON.stringify(v)),
    hostileValue.map((v) => JSON.stringify(v)),
    hostileText,
    fc.constant(JSON.stringify({ username: 'x'.repeat(2_000_000) })),
  );
  const request = fc.record({
    route: fc.constantFrom(...routes),
    body,
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    ),
    auth: fc.oneof(
      fc.constant(undefined),
      fc.constant('Bearer TOKEN'),
      hostileString.map((s) => `Bearer ${headerSafe(s)}`),
      hostileString.map((s) => `Bot ebot_${headerSafe(s)}`),
    ),
    cookie: fc.oneof(
      fc.constant(undefined),
      hostileString.map((s) => `echora_refresh=${headerSafe(s)}`),
    ),
  });

  it('answers every route with a typed error or success, never 5xx, and refused requests change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const before = await fingerprint(getDb());
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.auth) headers.authorization = r.auth.replace('TOKEN', secrets.token);
        if (r.cookie) headers.cookie = r.cookie;
        const [method, url] = r.route;
        const res = await app.inject({
          method,
          url,
          headers,
          ...(method === 'POST' || method === 'PATCH'
            ? { payload: r.body.replace('"REFRESH"', JSON.stringify(secrets.refresh)) }
            : {}),
        });
        expect(
          res.statusCode,
          `${method} ${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`,
        ).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const error = res.json<{ error?: { kind?: unknown; message?: unknown } }>().error;
          expect(kinds.has(String(error?.kind)), res.body.slice(0, 200)).toBe(true);
          expect(typeof error?.message).toBe('string');
          expect(await fingerprint(getDb())).toBe(before);
        }
        // A rotated refresh token replaces the one the next run substitutes.
        if (res.statusCode < 300 && url === '/api/auth/refresh') {
          const next = res.json<{ refreshToken?: string }>().refreshToken;
          if (next) secrets.refresh = next;
        }
        expect(prototypeClean()).toBe(true);
      }),
      fuzzParams(80),
    );
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  }, 120_000);
});
