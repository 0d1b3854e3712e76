import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { describeEachDb } from '../../test/helpers/db.ts';

/**
 * NUL and other control characters over REST: refused by the shared text
 * rules with a message a person can read, and, where a field has no rule, a
 * string Postgres cannot store is still the client's `invalid`, never a 500.
 */
describeEachDb('REST refuses control characters as invalid', (getDb) => {
  let app: FastifyInstance;
  let token = '';

  beforeAll(async () => {
    app = await createTestApp(getDb());
    token = (await registerUser(app, 'alice')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  const patchProfile = (payload: object) =>
    app.inject({
      method: 'PATCH',
      url: '/api/profile',
      headers: { authorization: `Bearer ${token}` },
      payload,
    });

  it('a profile field with NUL or ESC is invalid, named; a bio keeps its line breaks', async () => {
    for (const [payload, field] of [
      [{ displayName: 'a\u0000b' }, 'displayName'],
      [{ statusText: '\u001b[31mred' }, 'statusText'],
      [{ bio: 'x\u0000' }, 'bio'],
    ] as const) {
      const res = await patchProfile(payload);
      expect([res.statusCode, res.json()]).toEqual([
        400,
        {
          error: { kind: 'invalid', message: `body.${field} must not contain control characters` },
        },
      ]);
    }
    const ok = await patchProfile({ bio: 'line one\nline two' });
    expect(ok.statusCode).toBe(200);
  });

  it('NUL in a field without a text rule is invalid, not an internal error', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { username: 'bobby', password: 'correct horse battery', invite: 'a\u0000' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { kind: 'invalid' } });
  });
});
