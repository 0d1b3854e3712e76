import type {
  Bot,
  BotWithToken,
  Webhook,
  WebhookWithToken,
} from '@echora/shared/protocol/rest/bots';
import { apiBase } from '../lib/config.ts';
import { apiFetch } from './http.ts';

export type { Bot, Webhook };

/** The community's bots (manage community). */
export async function listBots(token: string): Promise<Bot[]> {
  return (await apiFetch<{ bots: Bot[] }>('/bots', { token })).bots;
}

/** A new bot and its token, shown this once. */
export function createBot(token: string, name: string): Promise<BotWithToken> {
  return apiFetch<BotWithToken>('/bots', { method: 'POST', token, body: { name } });
}

/** A new token for a bot; the old one stops working at once. */
export function rotateBot(token: string, id: string): Promise<BotWithToken> {
  return apiFetch<BotWithToken>(`/bots/${id}/token`, { method: 'POST', token });
}

/** Deletes a bot: its token stops working; its messages stay under its name. */
export async function deleteBot(token: string, id: string): Promise<void> {
  await apiFetch<unknown>(`/bots/${id}`, { method: 'DELETE', token });
}

/** A channel's incoming webhooks (manage channels there). */
export async function listWebhooks(token: string, channelId: string): Promise<Webhook[]> {
  const answer = await apiFetch<{ webhooks: Webhook[] }>(`/channels/${channelId}/webhooks`, {
    token,
  });
  return answer.webhooks;
}

export function createWebhook(
  token: string,
  channelId: string,
  name: string,
): Promise<WebhookWithToken> {
  return apiFetch<WebhookWithToken>(`/channels/${channelId}/webhooks`, {
    method: 'POST',
    token,
    body: { name },
  });
}

export function rotateWebhook(
  token: string,
  channelId: string,
  id: string,
): Promise<WebhookWithToken> {
  return apiFetch<WebhookWithToken>(`/channels/${channelId}/webhooks/${id}/token`, {
    method: 'POST',
    token,
  });
}

export async function deleteWebhook(token: string, channelId: string, id: string): Promise<void> {
  await apiFetch<unknown>(`/channels/${channelId}/webhooks/${id}`, { method: 'DELETE', token });
}

/** The full URL of a webhook's path (`/api/webhooks/…`) on the server this client talks to. */
export const webhookUrl = (path: string): string =>
  new URL(`${apiBase.replace(/\/api$/, '')}${path}`, location.origin).href;
