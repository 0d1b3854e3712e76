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
  readonly supported = pushSupported();

  constructor(
    private readonly replica: ReplicaPort,
    private readonly getToken: () => Promise<string | null>,
  ) {
    kvGet<StoredPush>(replica, KEY).then(
      (stored) => (this.enabled = stored !== undefined),
      (e: unknown) => handleError(e),
    );
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
    const registration = await navigator.serviceWorker?.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    // The push service forgets the endpoint first: a later push answers 410, so
    // the server drops its row even if the request below never arrives.
    await subscription?.unsubscribe();
    const token = await this.getToken();
    if (stored && token) {
      try {
        await removePushSubscription(token, stored.id);
      } catch (e) {
        if (!(e instanceof ApiError && e.kind === 'not_found')) throw e;
      }
    }
    await kvSet(this.replica, KEY, undefined);
    this.enabled = false;
  }

  async #subscribe(): Promise<void> {
    if (!this.supported) throw new Error('This browser cannot receive push notifications.');
    if ((await Notification.requestPermission()) !== 'granted') {
      throw new Error('The browser did not allow notifications.');
    }
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration)
      throw new Error('The app is not installed in this browser yet; reload once.');
    const token = await this.getToken();
    if (!token) throw new Error('Signed out.');
    const { publicKey } = await getPushKey(token);
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    });
    const json = subscription.toJSON();
    const body: PushSubscribeBody = {
      endpoint: subscription.endpoint,
      keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    };
    const { id } = await addPushSubscription(token, body);
    await kvSet(this.replica, KEY, { id, endpoint: body.endpoint } satisfies StoredPush);
    this.enabled = true;
  }
}
