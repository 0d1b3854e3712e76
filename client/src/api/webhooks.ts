import type {
  EventDelivery,
  EventSubscription,
  EventSubscriptionCreate,
  EventSubscriptionCreated,
} from '@echora/shared/protocol/rest/webhooks';
import { apiFetch } from './http.ts';

export type { EventDelivery, EventSubscription, EventSubscriptionCreated };

/** `GET /api/webhooks/outgoing` (manage community). */
export async function listWebhooks(token: string): Promise<EventSubscription[]> {
  return (await apiFetch<{ subscriptions: EventSubscription[] }>('/webhooks/outgoing', { token }))
    .subscriptions;
}

/** Subscribes a URL; the answer carries the signing secret, shown this once. */
export function createWebhook(
  token: string,
  body: EventSubscriptionCreate,
): Promise<EventSubscriptionCreated> {
  return apiFetch('/webhooks/outgoing', { method: 'POST', token, body });
}

export function setWebhookEnabled(
  token: string,
  id: string,
  enabled: boolean,
): Promise<EventSubscription> {
  return apiFetch(`/webhooks/outgoing/${id}`, { method: 'PATCH', token, body: { enabled } });
}

export function deleteWebhook(token: string, id: string): Promise<void> {
  return apiFetch(`/webhooks/outgoing/${id}`, { method: 'DELETE', token });
}

/** The webhook's latest deliveries, newest first. */
export async function webhookDeliveries(token: string, id: string): Promise<EventDelivery[]> {
  return (
    await apiFetch<{ deliveries: EventDelivery[] }>(`/webhooks/outgoing/${id}/deliveries`, {
      token,
    })
  ).deliveries;
}
