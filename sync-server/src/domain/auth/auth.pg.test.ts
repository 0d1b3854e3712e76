import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import type { CreatedUser } from './accounts.ts';

const password = 'correct horse battery';

describeEachDb('auth: register, login, me', (getDb) => {
  let app: FastifyInstance;
  const created: CreatedUser[] = [];

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      hooks: {
        async afterUserCreated(tx, user) {
          // Inside the registration transaction: the row is visible, and a throw undoes it.
          const seen = await tx.query('SELECT 1 FROM users WHERE id = $1', [user.id]);
          if (seen.rows.length !== 1) throw new Error('hook ran outside the transaction');
          if (user.username === 'hookfails') throw new Error('hook failed');
          created.push(user);
        },
      },
    });
  });
  afterAll(() => app.close());

  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, payload: payload as object });

  it('registers the first user as owner, sets the refresh cookie, and later users as members', async () => {
    const response = await post('/api/auth/register', { username: 'Alice', password });
    expect(response.statusCode).toBe(201);
    const body = response.json<{
      user: { username: string; isOwner: boolean };
      accessToken: string;
      refreshToken?: string;
    }>();
    expect(body.user).toMatchObject({ username: 'Alice', isOwner: true });
    expect(body.accessToken).toMatch(/^ey/);
    // A browser gets the refresh token only as an httpOnly cookie, never where a script reads it.
    expect(body).not.toHaveProperty('refreshToken');
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/echora_refresh=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await registerUser(app, 'bob', password)).user.isOwner).toBe(false);
    expect(created.map((user) => [user.username, user.isOwner])).toEqual([
      ['Alice', true],
      ['bob', false],
    ]);
  });

  it('rolls the account back when an afterUserCreated hook throws', async () => {
    expect((await post('/api/auth/register', { username: 'hookfails', password })).statusCode).toBe(
      500,
    );
    const rows = await getDb().query("SELECT 1 FROM users WHERE username = 'hookfails'");
    expect(rows.rows).toEqual([]);
  });

  it('refuses a taken username in any letter case with 409 conflict', async () => {
    for (const username of ['alice', 'ALICE', 'aLiCe']) {
      const response = await post('/api/auth/register', { username, password });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toEqual({
        error: { kind: 'conflict', message: 'That username is taken' },
      });
    }
  });

  it('logs in with any letter case and answers /api/me', async () => {
    const response = await post('/api/auth/login', { username: 'ALICE', password });
    expect(response.statusCode).toBe(200);
    const { accessToken, user } = response.json<{ accessToken: string; user: { id: string } }>();
    const me = await app.inject({
      url: '/api/me',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { id: user.id, username: 'Alice', isOwner: true } });
    expect(Object.keys(me.json<{ user: object }>().user).sort()).toEqual([
      'createdAt',
      'displayName',
      'id',
      'isOwner',
      'username',
    ]);
  });

  it('gives a wrong password and an unknown user the same 401', async () => {
    const wrong = await post('/api/auth/login', {
      username: 'alice',
      password: 'not the password',
    });
    const unknown = await post('/api/auth/login', { username: 'nobody', password });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.json()).toEqual({
      error: { kind: 'unauthorized', message: 'Wrong username or password' },
    });
  });

  it('answers /api/me without or with a bad token with 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic x' }]) {
      const response = await app.inject({ url: '/api/me', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json<{ error: { kind: string } }>().error.kind).toBe('unauthorized');
    }
  });

  it.each([
    ['bad JSON', '{"username": "x",', /JSON/i],
    ['missing password', { username: 'carol' }, /body\.password is required/],
    ['missing body fields', {}, /body\.username, body\.password are required/],
    ['a 10 KB username', { username: 'a'.repeat(10_240), password }, /username must be 2-32/],
    ['a one-letter username', { username: 'a', password }, /username must be 2-32/],
    ['a username with spaces', { username: 'bad name', password }, /letters, digits/],
    ['a number as username', { username: 42, password }, /body\.username must be string/],
    [
      'an array as password',
      { username: 'carol', password: ['x'] },
      /body\.password must be string/,
    ],
    ['a short password', { username: 'carol', password: 'short' }, /at least 8/],
    ['a 257-character password', { username: 'carol', password: 'p'.repeat(257) }, /at most 256/],
  ])('refuses %s with 400 invalid', async (_name, payload, message) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json<{ error: { kind: string; message: string } }>();
    expect(error.kind).toBe('invalid');
    expect(error.message).toMatch(message);
  });

  it('refuses a 10 KB username at login with 400 invalid', async () => {
    const response = await post('/api/auth/login', { username: 'a'.repeat(10_240), password });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { kind: string } }>().error.kind).toBe('invalid');
  });

  it('refuses an invite code that is not one (NUL, spaces, empty) at register and login with 400 invalid', async () => {
    for (const invite of ['x\u0000', 'a b', '', '../etc']) {
      for (const path of ['/api/auth/register', '/api/auth/login']) {
        const response = await post(path, { username: 'invitee', password, invite });
        expect(response.statusCode, `${path} ${JSON.stringify(invite)}`).toBe(400);
        expect(response.json<{ error: { kind: string } }>().error.kind).toBe('invalid');
      }
    }
  });

  it('refuses registration with 403 forbidden when the community is invite-only', async () => {
    await getDb().query("UPDATE community SET registration = 'invite'");
    try {
      const response = await post('/api/auth/register', { username: 'dave', password });
      expect(response.statusCode).toBe(403);
      expect(response.json<{ error: { kind: string } }>().error.kind).toBe('forbidden');
    } finally {
      await getDb().query("UPDATE community SET registration = 'open'");
    }
  });

  it('makes exactly one owner when two first registrations race', async () => {
    // Forget the owner, as on a fresh install, then register two at once.
    await getDb().query('UPDATE community SET owner_id = NULL');
    const [first, second] = await Promise.all([
      post('/api/auth/register', { username: 'racer1', password }),
      post('/api/auth/register', { username: 'racer2', password }),
    ]);
    const owners = [first, second].map(
      (r) => r.json<{ user: { isOwner: boolean } }>().user.isOwner,
    );
    expect(owners.sort()).toEqual([false, true]);
  });
});
