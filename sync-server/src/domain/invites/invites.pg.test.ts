import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CloseCode, newId } from '@echora/shared';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

const PASSWORD = 'correct horse battery';

describeEachDb('invites, registration and bans at the door', (getDb) => {
  let app: FastifyInstance;
  let url = '';
  let owner = '';

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    token?: string,
    payload?: object,
  ) =>
    app.inject({
      method,
      url: path,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(payload ? { payload } : {}),
    });
  const register = (username: string, invite?: string) =>
    call('POST', '/api/auth/register', undefined, {
      username,
      password: PASSWORD,
      ...(invite ? { invite } : {}),
    });
  const login = (username: string, invite?: string) =>
    call('POST', '/api/auth/login', undefined, {
      username,
      password: PASSWORD,
      ...(invite ? { invite } : {}),
    });
  const invite = async (body: object = {}) =>
    (await call('POST', '/api/invites', owner, body)).json<{ code: string }>().code;
  const setRegistration = (registration: 'open' | 'invite') =>
    call('PATCH', '/api/community', owner, { registration });

  beforeAll(async () => {
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    owner = (await registerUser(app, 'owner')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('invite-only: registering without an invite is refused; with one it joins', async () => {
    expect((await setRegistration('invite')).json()).toEqual({
      name: 'Echora',
      registration: 'invite',
      linkPreviews: true,
    });
    expect((await call('GET', '/api/community')).json()).toMatchObject({ registration: 'invite' });
    const refused = await register('nocode');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: { kind: 'forbidden', message: 'Registration on this server needs an invite' },
    });
    const code = await invite();
    const joined = await register('withcode', code);
    expect(joined.statusCode).toBe(201);
    const c = await SyncClient.connect(url, {
      token: joined.json<{ accessToken: string }>().accessToken,
    });
    await c.synced();
    await c.close();
    await setRegistration('open');
  });

  it('max uses 1: of two racing registrations exactly one joins; the other is told why', async () => {
    const code = await invite({ maxUses: 1 });
    const [a, b] = await Promise.all([register('racer-a', code), register('racer-b', code)]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses).toEqual([201, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json()).toEqual({
      error: { kind: 'conflict', message: 'This invite has been used up.' },
    });
    const preview = await call('GET', `/api/invites/${code}`);
    expect(preview.json()).toEqual({
      code,
      communityName: 'Echora',
      valid: false,
      reason: 'used_up',
    });
    const list = (await call('GET', '/api/invites', owner)).json<{
      invites: { code: string; uses: number }[];
    }>();
    expect(list.invites.find((i) => i.code === code)?.uses).toBe(1);
  });

  it('an expired invite is refused with a clear message; a revoked one too; an unknown one is not found', async () => {
    const code = await invite({ expiresInMinutes: 1 });
    expect((await call('GET', `/api/invites/${code}`)).json()).toMatchObject({
      valid: true,
      reason: null,
    });
    await getDb().query(
      "UPDATE invites SET expires_at = now() - interval '1 second' WHERE code = $1",
      [code],
    );
    const late = await register('late', code);
    expect(late.json()).toEqual({
      error: { kind: 'conflict', message: 'This invite has expired.' },
    });
    expect((await call('GET', `/api/invites/${code}`)).json()).toMatchObject({
      valid: false,
      reason: 'expired',
    });

    const revokedCode = await invite();
    expect((await call('DELETE', `/api/invites/${revokedCode}`, owner)).statusCode).toBe(204);
    expect((await register('revoked', revokedCode)).json()).toEqual({
      error: { kind: 'conflict', message: 'This invite was revoked.' },
    });
    expect((await call('GET', '/api/invites/nope')).statusCode).toBe(404);
    expect((await register('unknown', 'nope')).json()).toMatchObject({
      error: { kind: 'not_found' },
    });
    expect((await call('GET', '/api/invites/bad%20code')).json()).toMatchObject({
      error: { kind: 'invalid' },
    });
  });

  it('a banned user cannot log in, refresh, connect or come back with an invite; unbanned, they can', async () => {
    const s = await registerUser(app, 'troll');
    const socket = await (await SyncClient.connect(url, { token: s.accessToken })).synced();
    const banned = await call('POST', '/api/moderation/ban', owner, {
      userId: s.user.id,
      reason: 'rude',
    });
    expect(banned.statusCode).toBe(204);
    expect((await socket.closed).code).toBe(CloseCode.forbidden);
    const refused = await login('troll');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: { kind: 'forbidden', message: 'You are banned from this community.' },
    });
    expect((await login('troll', await invite())).statusCode).toBe(403);
    const refresh = await call('POST', '/api/auth/refresh', undefined, {
      refreshToken: s.refreshToken,
    });
    expect(refresh.statusCode).toBe(403);
    expect(refresh.json()).toMatchObject({ error: { removal: { reason: 'ban' } } });
    const again = await SyncClient.connect(url, { token: s.accessToken });
    expect((await again.closed).code).toBe(CloseCode.forbidden);
    const bans = (await call('GET', '/api/moderation/bans', owner)).json<{
      bans: { userId: string; reason: string }[];
    }>();
    expect(bans.bans).toContainEqual(
      expect.objectContaining({ userId: s.user.id, reason: 'rude' }),
    );

    expect((await call('DELETE', `/api/moderation/bans/${s.user.id}`, owner)).statusCode).toBe(204);
    expect((await login('troll')).statusCode).toBe(200);
  });

  it('a kicked user rejoins by logging in when open; when invite-only only with an invite', async () => {
    const s = await registerUser(app, 'kicked');
    const socket = await (await SyncClient.connect(url, { token: s.accessToken })).synced();
    expect(
      (await call('POST', '/api/moderation/kick', owner, { userId: s.user.id })).statusCode,
    ).toBe(204);
    expect((await socket.closed).code).toBe(CloseCode.forbidden);

    await setRegistration('invite');
    const refused = await login('kicked');
    expect(refused.json()).toEqual({
      error: {
        kind: 'forbidden',
        message: 'You are not a member of this community; you need an invite to join.',
      },
    });
    const back = await login('kicked', await invite());
    expect(back.statusCode).toBe(200);
    const c = await SyncClient.connect(url, {
      token: back.json<{ accessToken: string }>().accessToken,
    });
    await c.synced();
    await c.close();

    expect(
      (await call('POST', '/api/moderation/kick', owner, { userId: s.user.id })).statusCode,
    ).toBe(204);
    await setRegistration('open');
    expect((await login('kicked')).statusCode).toBe(200);
  });

  it('ban deletes the last N hours of messages with tombstones others receive', async () => {
    const s = await registerUser(app, 'spammer');
    const ownerSocket = await (await SyncClient.connect(url, { token: owner })).synced();
    const general =
      [...ownerSocket.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    const spam = await (await SyncClient.connect(url, { token: s.accessToken })).synced();
    const id = newId();
    const sent = await spam.mutate('message.send', {
      id,
      channelId: general,
      content: 'spam',
    });
    expect(sent.type).toBe('ack');
    await until(() => ownerSocket.replica.messages.has(id), 10_000, 'the spam to arrive');
    const tombstone = ownerSocket.next(
      (f) =>
        f.type === 'changes' && f.changes.some((c) => c.op === 'delete' && c.entity === 'message'),
    );
    await call('POST', '/api/moderation/ban', owner, {
      userId: s.user.id,
      deleteMessagesHours: 24,
    });
    await tombstone;
    expect(ownerSocket.replica.messages.has(id)).toBe(false);
    await ownerSocket.close();
  });
});
