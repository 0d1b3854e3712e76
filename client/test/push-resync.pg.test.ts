import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPushSubscription, getPushKey, removePushSubscription } from '../src/api/push.ts';
import { ApiError } from '../src/api/http.ts';
import { useServer } from '../src/lib/config.ts';
import { kvGet } from '../src/lib/kv.ts';
import {
  keyBytes,
  PushNotifications,
  type PushDevice,
  type PushRegistration,
} from '../src/state/push.svelte.ts';
import { memoryReplica } from '../src/sync/test-replica.ts';
import { newDevice } from './helpers.ts';
import { startServer, type Account, type DbKind, type TestServer } from './server.ts';

/** A subscription as the push service hands it out (`PushSubscription`'s published shape). */
function subscriptionOn(endpoint: string): PushSubscription & { unsubscribed: boolean } {
  const keys = {
    p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
  const sub = {
    endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: null },
    unsubscribed: false,
    getKey: () => null,
    toJSON: () => ({ endpoint, keys }),
    unsubscribe: () => Promise.resolve((sub.unsubscribed = true)),
  };
  return sub;
}

/** The browser's push manager: what the push service currently holds for this browser. */
class FakePushManager implements PushRegistration {
  current: PushSubscription | null = null;
  subscribedWith: Uint8Array[] = [];
  readonly pushManager = {
    getSubscription: () => Promise.resolve(this.current),
    subscribe: (options?: PushSubscriptionOptionsInit) => {
      this.subscribedWith.push(options?.applicationServerKey as Uint8Array);
      this.current = subscriptionOn(`https://push.example.com/${randomUUID()}`);
      return Promise.resolve(this.current);
    },
  };
}

const browser = (manager: FakePushManager, permission: NotificationPermission): PushDevice => ({
  supported: true,
  registration: () => Promise.resolve(manager),
  permission: () => permission,
  requestPermission: () => Promise.resolve(permission),
});

describe.each<DbKind>(['pg', 'pglite'])(
  'push subscription kept in step at start, on %s',
  (kind) => {
    let server: TestServer;
    let alice: Account;

    beforeAll(async () => {
      server = await startServer(kind);
      useServer(server.url);
      alice = await server.register('alice');
    });
    afterAll(async () => {
      useServer(undefined);
      await server?.stop();
    });

    /** Alice's device with push switched on: its replica, manager and the server's row id. */
    async function subscribed() {
      const device = newDevice();
      const replica = memoryReplica(device.factory, device.name);
      const manager = new FakePushManager();
      const push = new PushNotifications(
        replica,
        () => Promise.resolve(alice.accessToken),
        browser(manager, 'granted'),
      );
      await push.setEnabled(true);
      const stored = await kvGet<{ id: string; endpoint: string }>(replica, 'pushSubscription');
      if (!stored) throw new Error('not subscribed');
      return { replica, manager, push, stored };
    }

    /** The server's id for `sub`: registering a known endpoint answers the row it already has. */
    const serverIdOf = async (sub: PushSubscription) =>
      (
        await addPushSubscription(alice.accessToken, {
          endpoint: sub.endpoint,
          keys: sub.toJSON().keys as { p256dh: string; auth: string },
        })
      ).id;

    const isGone = async (id: string) =>
      removePushSubscription(alice.accessToken, id).then(
        () => false,
        (e: unknown) => e instanceof ApiError && e.kind === 'not_found',
      );

    it('subscribes with the server key, and leaves an unchanged subscription alone', async () => {
      const { manager, push, stored } = await subscribed();
      const { publicKey } = await getPushKey(alice.accessToken);
      expect(manager.subscribedWith).toEqual([keyBytes(publicKey)]);
      expect(stored.endpoint).toBe(manager.current?.endpoint);
      await push.resync();
      expect(manager.subscribedWith).toHaveLength(1);
      expect(await serverIdOf(manager.current!)).toBe(stored.id);
    });

    it('registers a subscription the push service replaced while the app was closed', async () => {
      const { replica, manager, push, stored } = await subscribed();
      manager.current = subscriptionOn(`https://push.example.com/${randomUUID()}`);
      await push.resync();
      const now = await kvGet<{ id: string; endpoint: string }>(replica, 'pushSubscription');
      expect(now?.endpoint).toBe(manager.current.endpoint);
      expect(await serverIdOf(manager.current)).toBe(now?.id);
      expect(await isGone(stored.id)).toBe(true);
      expect(push.enabled).toBe(true);
    });

    it('keeps the device the service worker already renewed', async () => {
      const { replica, manager, push, stored } = await subscribed();
      const old = manager.current!;
      const next = subscriptionOn(`https://push.example.com/${randomUUID()}`);
      const renewed = await fetch(`${server.url}/api/push/renew`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          old: { endpoint: old.endpoint, auth: (old.toJSON().keys as { auth: string }).auth },
          subscription: next.toJSON(),
        }),
      });
      expect(renewed.status).toBe(200);
      manager.current = next;
      await push.resync();
      const now = await kvGet<{ id: string; endpoint: string }>(replica, 'pushSubscription');
      expect(now).toEqual({ id: stored.id, endpoint: next.endpoint });
      expect(await serverIdOf(next)).toBe(stored.id);
    });

    it('subscribes anew when the subscription was dropped and notifications are still allowed', async () => {
      const { replica, manager, push, stored } = await subscribed();
      manager.current = null;
      await push.resync();
      expect(manager.subscribedWith).toHaveLength(2);
      const now = await kvGet<{ id: string; endpoint: string }>(replica, 'pushSubscription');
      expect(now?.endpoint).toBe((await manager.pushManager.getSubscription())?.endpoint);
      expect(await isGone(stored.id)).toBe(true);
    });

    it('switches off when the subscription was dropped and notifications are no longer allowed', async () => {
      const { replica, manager, stored } = await subscribed();
      manager.current = null;
      const denied = new PushNotifications(
        replica,
        () => Promise.resolve(alice.accessToken),
        browser(manager, 'denied'),
      );
      await denied.resync();
      expect(denied.enabled).toBe(false);
      expect(await kvGet(replica, 'pushSubscription')).toBeUndefined();
      expect(await isGone(stored.id)).toBe(true);
    });
  },
);
