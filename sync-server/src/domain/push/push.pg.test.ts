import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dmId, newId } from '@echora/shared';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { pushes } from '../../metrics/registry.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import {
  FakePushService,
  verifyVapid,
  type FakeDevice,
} from '../../../test/helpers/push-service.ts';

/*
 * Bob mentions Alice while Alice has no socket open: the server encrypts a
 * push to Alice's device and sends it to a push service on loopback, which
 * decrypts it as her browser would. `app.push.idle()` resolves once every
 * push triggered so far is answered, so "nothing was sent" is checked without
 * waiting on a clock.
 */
describeEachDb('web push: mentions reach devices of people not connected', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let service: FakePushService;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let general: string;
  let publicKey: string;
  let bobClient: SyncClient;

  const api = (token: string, method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) =>
    app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  const subscribe = async (token: string, device: FakeDevice): Promise<string> => {
    const response = await api(token, 'POST', '/api/push/subscriptions', device.subscription());
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string }>().id;
  };

  /** Bob sends `content` to general, acked; then every push it caused is answered. */
  const bobSays = async (content: string): Promise<string> => {
    const id = newId();
    expect(
      await bobClient.mutate('message.send', { id, channelId: general, content }),
    ).toMatchObject({ type: 'ack' });
    await app.push.idle();
    return id;
  };

  /** Runs `work` with Alice connected, then waits until every node sees her offline again. */
  const asAlice = async (work: (client: SyncClient) => Promise<void>) => {
    const client = await (await SyncClient.connect(url, { token: alice.token })).synced();
    await until(() => app.sync.deps.presence.status(alice.id) !== 'offline');
    await work(client);
    await client.close();
    await until(() => app.sync.deps.presence.status(alice.id) === 'offline');
  };

  const rowCount = async (id: string) =>
    (await getDb().query('SELECT 1 FROM push_subscriptions WHERE id = $1', [id])).rows.length;

  beforeAll(async () => {
    service = await FakePushService.start();
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
      push: { allowLoopbackHttp: true, retryDelayMs: 0 },
      // The push service runs on loopback: the operator's allow-list lets the server reach it.
      config: { outboundAllow: ['127.0.0.1'] },
      // A push service whose public-looking name now points inside.
      resolver: (name) =>
        name === 'push.rebound.test'
          ? Promise.resolve([{ address: '10.0.0.1', family: 4 }])
          : Promise.reject(new Error('ENOTFOUND')),
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
    bobClient = await (await SyncClient.connect(url, { token: bob.token })).synced();
    general = [...bobClient.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    publicKey = (await api(alice.token, 'GET', '/api/push/key')).json<{ publicKey: string }>()
      .publicKey;
  });
  afterAll(async () => {
    await bobClient?.close();
    await app?.close();
    await service?.close();
  });

  it('a mention of an offline user arrives encrypted, signed, with who and where only', async () => {
    const device = service.device(`a-${newId()}`);
    await subscribe(alice.token, device);
    const messageId = await bobSays(`hey <@${alice.id}> look at **this**`);
    const [push] = service.to(device);
    expect(service.to(device)).toHaveLength(1);
    expect(push?.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(push?.headers.ttl)).toBeGreaterThan(0);
    const claims = verifyVapid(push?.headers.authorization, publicKey);
    expect(claims.aud).toBe(service.url);
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(JSON.parse(device.decrypt(push?.body ?? Buffer.alloc(0)))).toEqual({
      v: 1,
      kind: 'mention',
      channelId: general,
      messageId,
      author: 'bob',
      channel: 'general',
    });
  });

  it('carries the text, as plain text, once the user opts in', async () => {
    const device = service.device(`b-${newId()}`);
    await subscribe(alice.token, device);
    await asAlice(async (client) => {
      expect(await client.mutate('settings.update', { pushPreview: true })).toMatchObject({
        type: 'ack',
      });
    });
    await bobSays(`hey <@${alice.id}> look at **this**`);
    const payload: unknown = JSON.parse(
      device.decrypt(service.to(device)[0]?.body ?? Buffer.alloc(0)),
    );
    expect(payload).toMatchObject({ author: 'bob', text: 'hey @alice look at this' });
    await asAlice(async (client) => {
      await client.mutate('settings.update', { pushPreview: false });
    });
  });

  it('sends nothing for a muted channel, nor to a user with notifications off', async () => {
    const device = service.device(`c-${newId()}`);
    await subscribe(alice.token, device);
    await asAlice(async (client) => {
      await client.mutate('channel.mute', { channelId: general, muted: true });
    });
    await bobSays(`muted <@${alice.id}>`);
    expect(service.to(device)).toHaveLength(0);
    await asAlice(async (client) => {
      await client.mutate('channel.mute', { channelId: general, muted: false });
      await client.mutate('settings.update', { notify: 'none' });
    });
    await bobSays(`quiet <@${alice.id}>`);
    expect(service.to(device)).toHaveLength(0);
    await asAlice(async (client) => {
      await client.mutate('settings.update', { notify: 'mentions' });
    });
    await bobSays(`back <@${alice.id}>`);
    expect(service.to(device)).toHaveLength(1);
  });

  it('sends nothing to a user connected on a socket, nor to the author, nor without a mention', async () => {
    const device = service.device(`d-${newId()}`);
    await subscribe(alice.token, device);
    const bobsDevice = service.device(`bob-${newId()}`);
    await subscribe(bob.token, bobsDevice);
    await asAlice(async () => {
      await bobSays(`you are here <@${alice.id}>`);
    });
    await bobSays(`me <@${bob.id}>, and nobody else`);
    expect(service.to(device)).toHaveLength(0);
    expect(service.to(bobsDevice)).toHaveLength(0);
  });

  it('every direct message reaches the other participants, without a mention; not when muted or blocked', async () => {
    const device = service.device(`dm-${newId()}`);
    await subscribe(alice.token, device);
    const direct = dmId(alice.id, bob.id);
    expect(await bobClient.mutate('dm.open', { userId: alice.id })).toMatchObject({ type: 'ack' });
    const send = async (channelId: string, content: string) => {
      const id = newId();
      expect(await bobClient.mutate('message.send', { id, channelId, content })).toMatchObject({
        type: 'ack',
      });
      await app.push.idle();
      return id;
    };
    const messageId = await send(direct, 'are you around?');
    expect(service.to(device)).toHaveLength(1);
    expect(
      JSON.parse(device.decrypt(service.to(device)[0]?.body ?? Buffer.alloc(0))),
    ).toMatchObject({ kind: 'dm', channelId: direct, messageId, author: 'bob' });

    await asAlice(async (client) => {
      await client.mutate('channel.mute', { channelId: direct, muted: true });
    });
    await send(direct, 'muted now');
    expect(service.to(device)).toHaveLength(1);

    // In a group, someone Alice blocked still writes to the others; she hears nothing of it.
    const group = newId();
    expect(
      await bobClient.mutate('dm.create', { id: group, userIds: [alice.id], name: 'plans' }),
    ).toMatchObject({ type: 'ack' });
    await send(group, 'group hello');
    expect(service.to(device)).toHaveLength(2);
    await asAlice(async (client) => {
      await client.mutate('user.block', { userId: bob.id, blocked: true });
    });
    await send(group, 'after the block');
    expect(service.to(device)).toHaveLength(2);
    await asAlice(async (client) => {
      await client.mutate('user.block', { userId: bob.id, blocked: false });
      await client.mutate('channel.mute', { channelId: direct, muted: false });
    });
  });

  it('deletes a subscription whose push service answers 410 or 404; retries a 500 once', async () => {
    const gone = service.device(`gone-${newId()}`);
    const missing = service.device(`missing-${newId()}`);
    const flaky = service.device(`flaky-${newId()}`);
    service.answer(gone, 410);
    service.answer(missing, 404);
    service.answer(flaky, 500, 201);
    const goneId = await subscribe(alice.token, gone);
    const missingId = await subscribe(alice.token, missing);
    const flakyId = await subscribe(alice.token, flaky);
    await bobSays(`anyone <@${alice.id}>`);
    expect(service.to(gone)).toHaveLength(1);
    expect(await rowCount(goneId)).toBe(0);
    expect(await rowCount(missingId)).toBe(0);
    expect(service.to(flaky)).toHaveLength(2);
    expect(await rowCount(flakyId)).toBe(1);
  });

  it('a user deletes only their own subscription', async () => {
    const id = await subscribe(alice.token, service.device(`own-${newId()}`));
    expect((await api(bob.token, 'DELETE', `/api/push/subscriptions/${id}`)).statusCode).toBe(404);
    expect(await rowCount(id)).toBe(1);
    expect((await api(alice.token, 'DELETE', `/api/push/subscriptions/${id}`)).statusCode).toBe(
      204,
    );
    expect(await rowCount(id)).toBe(0);
    expect((await api(alice.token, 'DELETE', `/api/push/subscriptions/${id}`)).statusCode).toBe(
      404,
    );
  });

  it('refuses endpoints that point inside, malformed keys, and anonymous callers', async () => {
    const keys = service.device('x').subscription().keys;
    for (const endpoint of [
      'http://push.example.com/x',
      // 127.0.0.1 is allow-listed for the test's push service; the rest of loopback is not.
      'https://127.0.0.2/x',
      'https://[::1]/x',
      'https://10.1.2.3/x',
      'https://localhost/x',
      'https://user:pw@push.example.com/x',
      'ftp://push.example.com/x',
    ]) {
      const response = await api(alice.token, 'POST', '/api/push/subscriptions', {
        endpoint,
        keys,
      });
      expect(response.statusCode, endpoint).toBe(400);
      expect(response.json()).toMatchObject({ error: { kind: 'invalid' } });
    }
    const noAuth = await api(alice.token, 'POST', '/api/push/subscriptions', {
      endpoint: 'https://push.example.com/x',
      keys: { p256dh: keys.p256dh },
    });
    expect(noAuth.statusCode).toBe(400);
    const anonymous = await app.inject({ method: 'GET', url: '/api/push/key' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('a subscription the push service replaced is renewed without a session, by its old auth secret', async () => {
    const before = service.device(`renew-old-${newId()}`);
    const after = service.device(`renew-new-${newId()}`);
    const id = await subscribe(alice.token, before);
    const renew = (auth: string, subscription = after.subscription()) =>
      app.inject({
        method: 'POST',
        url: '/api/push/renew',
        payload: { old: { endpoint: before.endpoint, auth }, subscription },
      });
    const row = async () =>
      (await getDb().query('SELECT endpoint FROM push_subscriptions WHERE id = $1', [id])).rows[0];

    // Someone who knows the endpoint but not its secret moves nothing.
    const forged = await renew(service.device('forger').subscription().keys.auth);
    expect(forged.statusCode).toBe(404);
    expect(await row()).toEqual({ endpoint: before.endpoint });
    const inside = await renew(before.subscription().keys.auth, {
      ...after.subscription(),
      endpoint: 'https://10.0.0.1/steal',
    });
    expect(inside.statusCode).toBe(400);
    expect(await row()).toEqual({ endpoint: before.endpoint });

    const renewed = await renew(before.subscription().keys.auth);
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json()).toEqual({ id });
    expect(await row()).toEqual({ endpoint: after.endpoint });
    const messageId = await bobSays(`renewed <@${alice.id}>`);
    expect(service.to(before)).toHaveLength(0);
    expect(JSON.parse(after.decrypt(service.to(after)[0]?.body ?? Buffer.alloc(0)))).toMatchObject({
      messageId,
    });
    // The old secret no longer names a device.
    expect((await renew(before.subscription().keys.auth)).statusCode).toBe(404);
  });

  it('refuses to push to an endpoint whose name resolves to a private address', async () => {
    const refused = async () =>
      (await pushes.get()).values.find((v) => v.labels.outcome === 'refused')?.value ?? 0;
    const before = await refused();
    const device = service.device(`rebound-${newId()}`);
    const response = await api(alice.token, 'POST', '/api/push/subscriptions', {
      ...device.subscription(),
      endpoint: 'https://push.rebound.test/x',
    });
    expect(response.statusCode).toBe(201);
    await bobSays(`inside <@${alice.id}>`);
    expect(await refused()).toBe(before + 1);
    await api(
      alice.token,
      'DELETE',
      `/api/push/subscriptions/${response.json<{ id: string }>().id}`,
    );
  });

  it('limits how fast one user subscribes and unsubscribes', async () => {
    const carol = await registerUser(app, 'carol');
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const response = await api(carol.accessToken, 'POST', '/api/push/subscriptions', {
        ...service.device(`carol-${i}`).subscription(),
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.at(-1)).toBe(429);
  });
});
