import type {
  PushKey,
  PushSubscribeBody,
  PushSubscriptionRef,
} from '@echora/shared/protocol/rest/push';
import { apiFetch } from './http.ts';

/** The server's VAPID public key, for `PushManager.subscribe`. */
export function getPushKey(token: string): Promise<PushKey> {
  return apiFetch<PushKey>('/push/key', { token });
}

/** Registers this device's push subscription; answers its id. */
export function addPushSubscription(
  token: string,
  body: PushSubscribeBody,
): Promise<PushSubscriptionRef> {
  return apiFetch<PushSubscriptionRef>('/push/subscriptions', { method: 'POST', token, body });
}

/** Forgets one of the caller's devices. */
export async function removePushSubscription(token: string, id: string): Promise<void> {
  await apiFetch<undefined>(`/push/subscriptions/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    token,
  });
}
