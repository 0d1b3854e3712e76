import type { PushSubscribeBody } from '@echora/shared/protocol/rest/push';
import { addPushSubscription, getPushKey, removePushSubscription } from '../api/push.ts';
import { ApiError } from '../api/http.ts';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { handleError } from './toasts.svelte.ts';

/** This device's subscription as the server knows it (kept in the replica's kv). */
interface StoredPush {
  id: string;
  endpoint: string;
}

const KEY = 'pushSubscription';

/** Web Push needs a service worker, its PushManager and notifications. */
export const pushSupported = (): boolean =>
  typeof navigator !== 'undefined' &&
  'serviceWorker' in navigator &&
  typeof PushManager !== 'undefined' &&
  typeof Notification !== 'undefined';

/** base64url to the bytes `applicationServerKey` takes (every browser accepts those). */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** What push needs of a service worker registration (`ServiceWorkerRegistration`). */
export interface PushRegistration {
  readonly pushManager: Pick<PushManager, 'getSubscription' | 'subscribe'>;
}

/** The browser's side of push: the worker's registration and the permission. */
export interface PushDevice {
  readonly supported: boolean;
  registration(): Promise<PushRegistration | undefined>;
  permission(): NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
}

const browserPushDevice: PushDevice = {
  supported: pushSupported(),
  registration: async () => (await navigator.serviceWorker?.getRegistration()) ?? undefined,
  permission: () => Notification.permission,
  requestPermission: () => Notification.requestPermission(),
};

/**
 * "Notify me when Echora is closed" on this device: a Web Push subscription
 * through the service worker, registered with the server, which pushes
 * mentions while no tab of the user is connected. Per device, like desktop
 * notifications; signing out unsubscribes.
 */
export class PushNotifications {
  /** This device is subscribed. */
  enabled = $state(false);
  /** A change is under way. */
  busy = $state(false);
  readonly supported: boolean;

  constructor(
    private readonly replica: ReplicaPort,
    private readonly getToken: () => Promise<string | null>,
    private readonly device: PushDevice = browserPushDevice,
  ) {
    this.supported = device.supported;
    kvGet<StoredPush>(replica, KEY).then(
      (stored) => (this.enabled = stored !== undefined),
      (e: unknown) => handleError(e),
    );
  }

  /**
   * Brings the server in line with this browser's subscription, at start:
   * the push service may have replaced it while the app was closed (the
   * service worker renews it itself when the browser tells it the old one;
   * not every browser does), or dropped it. A replaced subscription is
   * registered again; a dropped one is subscribed anew while notifications
   * are still allowed, and switched off when they are not.
   */
  async resync(): Promise<void> {
    const stored = await kvGet<StoredPush>(this.replica, KEY);
    if (!stored || !this.supported) return;
    const registration = await this.device.registration();
    if (!registration) return;
    const current = await registration.pushManager.getSubscription();
    if (current?.endpoint === stored.endpoint) return;
    const token = await this.getToken();
    if (!token) return;
    if (!current && this.device.permission() !== 'granted') {
      await this.unsubscribe();
      return;
    }
    const subscription = current ?? (await this.#newSubscription(registration, token));
    const id = await this.#register(token, subscription);
    // The worker's renewal keeps the device's id; a different one means the old row is stale.
    if (id !== stored.id) await this.#forget(token, stored.id);
  }
  /** The settings switch. */
  async setEnabled(on: boolean): Promise<void> {
    this.busy = true;
    try {
      if (on) await this.#subscribe();
      else await this.unsubscribe();
    } finally {
      this.busy = false;
    }
  }

  /** Ends this device's subscription with the push service and the server (sign-out too). */
  async unsubscribe(): Promise<void> {
    const stored = await kvGet<StoredPush>(this.replica, KEY);
    const registration = await this.device.registration();
    const subscription = await registration?.pushManager.getSubscription();
    // The push service forgets the endpoint first: a later push answers 410, so
    // the server drops its row even if the request below never arrives.
    await subscription?.unsubscribe();
    const token = await this.getToken();
    if (stored && token) await this.#forget(token, stored.id);
    await kvSet(this.replica, KEY, undefined);
    this.enabled = false;
  }

  async #subscribe(): Promise<void> {
    if (!this.supported) throw new Error('This browser cannot receive push notifications.');
    if ((await this.device.requestPermission()) !== 'granted') {
      throw new Error('The browser did not allow notifications.');
    }
    const registration = await this.device.registration();
    if (!registration)
      throw new Error('The app is not installed in this browser yet; reload once.');
    const token = await this.getToken();
    if (!token) throw new Error('Signed out.');
    await this.#register(token, await this.#newSubscription(registration, token));
  }

  async #newSubscription(registration: PushRegistration, token: string): Promise<PushSubscription> {
    const { publicKey } = await getPushKey(token);
    return registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    });
  }

  /** Tells the server about `subscription` and remembers it; answers its id. */
  async #register(token: string, subscription: PushSubscription): Promise<string> {
    const json = subscription.toJSON();
    const body: PushSubscribeBody = {
      endpoint: subscription.endpoint,
      keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    };
    const { id } = await addPushSubscription(token, body);
    await kvSet(this.replica, KEY, { id, endpoint: body.endpoint } satisfies StoredPush);
    this.enabled = true;
    return id;
  }

  async #forget(token: string, id: string): Promise<void> {
    try {
      await removePushSubscription(token, id);
    } catch (e) {
      if (!(e instanceof ApiError && e.kind === 'not_found')) throw e;
    }
  }
}
