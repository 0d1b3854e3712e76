import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dmId, newId, Permission } from '@echora/shared';
import type {
  EventDelivery,
  EventSubscription,
  EventSubscriptionCreated,
} from '@echora/shared/protocol/rest/webhooks';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';
import type { ResolvedAddress } from '../../net/address-policy.ts';
import { verifySignature } from './signature.ts';

/** An app on loopback receiving deliveries; each path answers the statuses it is told. */
class Receiver {
  readonly got: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  readonly answers = new Map<string, number[]>();
  readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        this.got.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(this.answers.get(path)?.shift() ?? 200).end();
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  answer(path: string, ...statuses: number[]): void {
    this.answers.set(path, statuses);
  }

  to(path: string) {
    return this.got.filter((g) => g.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The README's verification snippet, written out independently of the server's code. */
function readmeVerify(secret: string, header: string, body: string, now: number): boolean {
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2))) as Record<
    string,
    string | undefined
  >;
  const t = Number(fields.t);
  if (!Number.isInteger(t) || Math.abs(now - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(String(fields.v1), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describeEachDb('outgoing webhooks: signed, retried, disabled, never leaking', (getDb) => {
  let app: FastifyInstance;
  let receiver: Receiver;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let carol: { id: string; token: string };
  let aliceClient: SyncClient;
  let general: string;
  const hosts = new Map<string, string>();
  const resolver = (name: string): Promise<ResolvedAddress[]> => {
    const address = hosts.get(name);
    return address
      ? Promise.resolve([{ address, family: 4 }])
      : Promise.reject(new Error('ENOTFOUND'));
  };
  const options = {
    config: { outboundAllow: ['127.0.0.1'] },
    webhooks: { pollMs: 0, backoffMs: 1000, maxAttempts: 3, disableAfter: 4 },
    resolver,
  };

  const api = (
    token: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  const subscribe = async (token: string, body: object): Promise<EventSubscriptionCreated> => {
    const response = await api(token, 'POST', '/api/webhooks/outgoing', body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };

  const say = async (client: SyncClient, channelId: string, content: string): Promise<string> => {
    const id = newId();
    expect(await client.mutate('message.send', { id, channelId, content })).toMatchObject({
      type: 'ack',
    });
    return id;
  };

  const log = async (id: string): Promise<EventDelivery[]> =>
    (await api(alice.token, 'GET', `/api/webhooks/outgoing/${id}/deliveries`)).json<{
      deliveries: EventDelivery[];
    }>().deliveries;

  /** A time after every row queued so far (the queue stamps them with the database's now). */
  const later = (ms = 0) => new Date(Date.now() + 60_000 + ms);

  beforeAll(async () => {
    receiver = await Receiver.start();
    app = await createTestApp(getDb(), options);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const a = await registerUser(app, 'alice');
    const b = await registerUser(app, 'bob');
    const c = await registerUser(app, 'carol');
    alice = { id: a.user.id, token: a.accessToken };
    bob = { id: b.user.id, token: b.accessToken };
    carol = { id: c.user.id, token: c.accessToken };
    aliceClient = await (await SyncClient.connect(url, { token: alice.token })).synced();
    general =
      [...aliceClient.replica.channels.values()].find((ch) => ch.name === 'general')?.id ?? '';
  });
  afterAll(async () => {
    await aliceClient?.close();
    await app?.close();
    await receiver?.close();
  });

  it('delivers a message event signed as documented; only managers manage webhooks', async () => {
    expect((await api(bob.token, 'GET', '/api/webhooks/outgoing')).statusCode).toBe(403);
    const refused = await api(bob.token, 'POST', '/api/webhooks/outgoing', {
      name: 'x',
      url: `${receiver.url}/x`,
      events: ['message.created'],
    });
    expect(refused.statusCode).toBe(403);
    const sub = await subscribe(alice.token, {
      name: 'ci bot',
      url: `${receiver.url}/signed`,
      events: ['message.created'],
      channelIds: [general],
    });
    expect(sub.secret).toMatch(/^whsec_/);
    const list = (await api(alice.token, 'GET', '/api/webhooks/outgoing')).json<{
      subscriptions: EventSubscription[];
    }>();
    expect(list.subscriptions.find((s) => s.id === sub.id)).not.toHaveProperty('secret');

    const messageId = await say(aliceClient, general, 'deploy **done**');
    const at = later();
    expect(await app.webhookDeliveries.runOnce(at)).toBe(1);
    const [got] = receiver.to('/signed');
    expect(receiver.to('/signed')).toHaveLength(1);
    const header = String(got?.headers['echora-signature']);
    const body = got?.body ?? '';
    const now = Math.floor(at.getTime() / 1000);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(readmeVerify(sub.secret, header, body, now)).toBe(true);
    expect(verifySignature(sub.secret, header, body, now)).toBe(true);
    // Outside the replay window, with another secret, or with a changed body: refused.
    expect(readmeVerify(sub.secret, header, body, now + 301)).toBe(false);
    expect(verifySignature(sub.secret, header, body, now - 301)).toBe(false);
    expect(verifySignature('whsec_other', header, body, now)).toBe(false);
    expect(verifySignature(sub.secret, header, body.replace('done', 'undone'), now)).toBe(false);
    expect(got?.headers['echora-event']).toBe('message.created');
    expect(JSON.parse(body)).toMatchObject({
      id: got?.headers['echora-delivery'],
      event: 'message.created',
      data: {
        message: {
          id: messageId,
          channelId: general,
          authorId: alice.id,
          content: 'deploy **done**',
        },
      },
    });
    expect(await log(sub.id)).toMatchObject([
      { status: 'delivered', attempts: 1, lastStatus: 200 },
    ]);
    expect((await api(alice.token, 'DELETE', `/api/webhooks/outgoing/${sub.id}`)).statusCode).toBe(
      204,
    );
  });

  it('retries failures with exponential backoff, gives up, then disables the webhook', async () => {
    const sub = await subscribe(alice.token, {
      name: 'flaky',
      url: `${receiver.url}/flaky`,
      events: ['message.created'],
    });
    receiver.answer('/flaky', 500, 500, 500, 503);
    await say(aliceClient, general, 'one');
    const t0 = later();
    expect(await app.webhookDeliveries.runOnce(t0)).toBe(1);
    const [first] = await log(sub.id);
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500 });
    expect(Date.parse(first?.nextAttemptAt ?? '')).toBe(t0.getTime() + 1000);
    // Not due before its backoff has passed.
    expect(await app.webhookDeliveries.runOnce(new Date(t0.getTime() + 999))).toBe(0);
    const t1 = new Date(t0.getTime() + 1000);
    expect(await app.webhookDeliveries.runOnce(t1)).toBe(1);
    expect(Date.parse((await log(sub.id))[0]?.nextAttemptAt ?? '')).toBe(t1.getTime() + 2000);
    expect(await app.webhookDeliveries.runOnce(new Date(t1.getTime() + 1999))).toBe(0);
    expect(await app.webhookDeliveries.runOnce(new Date(t1.getTime() + 2000))).toBe(1);
    expect(await log(sub.id)).toMatchObject([
      { status: 'failed', attempts: 3, lastStatus: 500, nextAttemptAt: null },
    ]);
    expect(receiver.to('/flaky')).toHaveLength(3);

    // The fourth failure in a row disables it, with the reason for managers.
    await say(aliceClient, general, 'two');
    expect(await app.webhookDeliveries.runOnce(later(10_000))).toBe(1);
    const { subscriptions } = (await api(alice.token, 'GET', '/api/webhooks/outgoing')).json<{
      subscriptions: EventSubscription[];
    }>();
    const disabled = subscriptions.find((s) => s.id === sub.id);
    expect(disabled?.disabledAt).not.toBeNull();
    expect(disabled?.disabledReason).toMatch(/4 deliveries failed in a row; the last: .*503/);
    // Disabled: nothing more is queued or sent.
    await say(aliceClient, general, 'three');
    expect(await app.webhookDeliveries.runOnce(later(20_000))).toBe(0);
    expect(await log(sub.id)).toHaveLength(2);
    // Turned back on, its pending delivery (the second one) goes out again and succeeds.
    const enabled = await api(alice.token, 'PATCH', `/api/webhooks/outgoing/${sub.id}`, {
      enabled: true,
    });
    expect(enabled.json()).toMatchObject({ disabledAt: null, failures: 0 });
    await say(aliceClient, general, 'four');
    expect(await app.webhookDeliveries.runOnce(later(30_000))).toBe(2);
    expect((await log(sub.id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'failed']);
    await api(alice.token, 'DELETE', `/api/webhooks/outgoing/${sub.id}`);
  });

  it('never sends a private channel to a manager who cannot read it, nor a direct message to anyone', async () => {
    const managers = newId();
    const everyone = [...aliceClient.replica.roles.values()].find((r) => r.isEveryone)?.id ?? '';
    const secret = newId();
    for (const [name, args] of [
      ['role.create', { id: managers, name: 'managers', permissions: Permission.manageCommunity }],
      ['member.roles', { userId: bob.id, roleIds: [managers] as string[] }],
      ['channel.create', { id: secret, kind: 'text', name: 'secret' }],
      [
        'channel.overrides',
        {
          channelId: secret,
          targetType: 'role',
          targetId: everyone,
          allow: 0,
          deny: Permission.viewChannel,
        },
      ],
      ['dm.open', { userId: carol.id }],
    ] as const) {
      expect(await aliceClient.mutate(name, args), name).toMatchObject({ type: 'ack' });
    }
    const bobs = await subscribe(bob.token, {
      name: 'bob app',
      url: `${receiver.url}/bob`,
      events: ['message.created', 'reaction.added'],
    });
    // Bob cannot choose a channel he cannot read, nor a direct conversation.
    for (const channelId of [secret, dmId(alice.id, carol.id)]) {
      const response = await api(bob.token, 'POST', '/api/webhooks/outgoing', {
        name: 'sneaky',
        url: `${receiver.url}/sneaky`,
        events: ['message.created'],
        channelIds: [channelId],
      });
      expect(response.statusCode).toBe(400);
    }
    const alices = await subscribe(alice.token, {
      name: 'alice app',
      url: `${receiver.url}/alice`,
      events: ['message.created'],
    });
    const hidden = await say(aliceClient, secret, 'between admins');
    await say(aliceClient, dmId(alice.id, carol.id), 'just us');
    const open = await say(aliceClient, general, 'for all');
    expect(
      await aliceClient.mutate('reaction.toggle', { messageId: hidden, emoji: '👍', on: true }),
    ).toMatchObject({ type: 'ack' });
    expect(
      await aliceClient.mutate('reaction.toggle', { messageId: open, emoji: '👍', on: true }),
    ).toMatchObject({ type: 'ack' });
    await app.webhookDeliveries.runOnce(later(40_000));
    const events = (path: string) =>
      receiver.to(path).map(
        (g) =>
          JSON.parse(g.body) as {
            event: string;
            data: Record<string, { id?: string; messageId?: string }>;
          },
      );
    expect(
      events('/bob').map((e) => [e.event, e.data.message?.id ?? e.data.reaction?.messageId]),
    ).toEqual(
      expect.arrayContaining([
        ['message.created', open],
        ['reaction.added', open],
      ]),
    );
    expect(events('/bob')).toHaveLength(2);
    // The owner reads the private channel; a direct message goes to nobody.
    expect(
      events('/alice')
        .map((e) => e.data.message?.id)
        .sort(),
    ).toEqual([hidden, open].sort());
    for (const sub of [bobs, alices])
      await api(alice.token, 'DELETE', `/api/webhooks/outgoing/${sub.id}`);
  });

  it('refuses private targets unless allow-listed, when made and when delivering', async () => {
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest',
      'http://[::1]:9/x',
      'http://127.0.0.2/x',
      'http://localhost/x',
    ]) {
      const response = await api(alice.token, 'POST', '/api/webhooks/outgoing', {
        name: 'inside',
        url,
        events: ['member.joined'],
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ error: { kind: 'invalid' } });
    }
    // A name that resolved to an allowed address when made, and to a private one since.
    hosts.set('hooks.flip.test', '127.0.0.1');
    const port = new URL(receiver.url).port;
    const sub = await subscribe(alice.token, {
      name: 'flip',
      url: `http://hooks.flip.test:${port}/flip`,
      events: ['member.joined'],
    });
    hosts.set('hooks.flip.test', '10.0.0.1');
    const dave = await registerUser(app, 'dave');
    expect(await app.webhookDeliveries.runOnce(later(50_000))).toBe(1);
    expect(receiver.to('/flip')).toHaveLength(0);
    expect(await log(sub.id)).toMatchObject([
      {
        event: 'member.joined',
        status: 'pending',
        lastStatus: null,
      },
    ]);
    expect((await log(sub.id))[0]?.lastError).toMatch(/refused.*10\.0\.0\.1 is private/);
    hosts.set('hooks.flip.test', '127.0.0.1');
    expect(await app.webhookDeliveries.runOnce(later(60_000))).toBe(1);
    expect(JSON.parse(receiver.to('/flip')[0]?.body ?? '{}')).toMatchObject({
      event: 'member.joined',
      data: { member: { userId: dave.user.id, username: 'dave' } },
    });
    await api(alice.token, 'DELETE', `/api/webhooks/outgoing/${sub.id}`);
  });

  it("raises message.created for an incoming webhook's post, naming it; refuses a delivery posted back", async () => {
    const made = await api(alice.token, 'POST', `/api/channels/${general}/webhooks`, {
      name: 'Echo app',
    });
    expect(made.statusCode).toBe(201);
    const hook = made.json<{ webhook: { id: string; authorId: string }; url: string }>();
    const sub = await subscribe(alice.token, {
      name: 'echo',
      url: `${receiver.url}/echo`,
      events: ['message.created'],
      channelIds: [general],
    });
    const posted = await app.inject({
      method: 'POST',
      url: hook.url,
      payload: { text: 'from the app' },
    });
    expect(posted.statusCode).toBe(200);
    const messageId = posted.json<{ message: { id: string } }>().message.id;
    expect(await app.webhookDeliveries.runOnce(later())).toBe(1);
    const [got] = receiver.to('/echo');
    expect(JSON.parse(got?.body ?? '{}') as unknown).toMatchObject({
      event: 'message.created',
      data: {
        webhookId: hook.webhook.id,
        message: { id: messageId, authorId: hook.webhook.authorId, content: 'from the app' },
      },
    });
    // An app that forwards the delivery to the webhook would loop: refused, nothing posted.
    const looped = await app.inject({
      method: 'POST',
      url: hook.url,
      headers: {
        'content-type': 'application/json',
        'echora-event': String(got?.headers['echora-event']),
        'echora-delivery': String(got?.headers['echora-delivery']),
      },
      payload: { text: 'from the app, again' },
    });
    expect(looped.statusCode).toBe(400);
    const refusal = looped.json<{ error: { kind: string; message: string } }>().error;
    expect(refusal.kind).toBe('invalid');
    expect(refusal.message).toContain('Echora-Delivery');
    const rows = await getDb().query('SELECT 1 FROM messages WHERE author_id = $1', [
      hook.webhook.authorId,
    ]);
    expect(rows.rows).toHaveLength(1);
    expect(await app.webhookDeliveries.runOnce(later(1000))).toBe(0);
    // A member's message names no webhook.
    await say(aliceClient, general, 'by hand');
    expect(await app.webhookDeliveries.runOnce(later(2000))).toBe(1);
    const byHand = JSON.parse(receiver.to('/echo')[1]?.body ?? '{}') as { data: object };
    expect(byHand.data).toHaveProperty('message.content', 'by hand');
    expect(byHand.data).not.toHaveProperty('webhookId');
    await api(alice.token, 'DELETE', `/api/webhooks/outgoing/${sub.id}`);
  });

  it('shares the queue between nodes (each delivery once) and resumes it after a restart', async () => {
    const sub = await subscribe(alice.token, {
      name: 'queue',
      url: `${receiver.url}/queue`,
      events: ['message.created'],
    });
    for (let i = 0; i < 6; i++) await say(aliceClient, general, `burst ${i}`);
    const other = await createTestApp(getDb(), options);
    await Promise.all([
      app.webhookDeliveries.runOnce(later(70_000)),
      other.webhookDeliveries.runOnce(later(70_000)),
    ]);
    const ids = receiver.to('/queue').map((g) => g.headers['echora-delivery']);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);

    // A node claimed one and stopped mid-delivery: its lease must run out first.
    await say(aliceClient, general, 'orphan');
    await getDb().query(
      `UPDATE event_deliveries SET locked_until = $2, attempts = 1
       WHERE subscription_id = $1 AND status = 'pending'`,
      [sub.id, later(80_000 + 60_000)],
    );
    await other.close();
    const restarted = await createTestApp(getDb(), options);
    expect(await restarted.webhookDeliveries.runOnce(later(80_000))).toBe(0);
    expect(await restarted.webhookDeliveries.runOnce(later(80_000 + 60_000))).toBe(1);
    expect(receiver.to('/queue')).toHaveLength(7);
    expect((await log(sub.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    // Finished deliveries leave the log after a week; pending ones stay.
    await say(aliceClient, general, 'still queued');
    expect(
      await restarted.webhookDeliveries.prune(new Date(Date.now() + 7 * 24 * 3600_000 + 60_000)),
    ).toBe(7);
    expect(await log(sub.id)).toMatchObject([{ status: 'pending' }]);
    await restarted.close();
    await api(alice.token, 'DELETE', `/api/webhooks/outgoing/${sub.id}`);
  });
});
