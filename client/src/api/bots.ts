import type {
  Bot,
  BotWithToken,
  Webhook,
  WebhookWithToken,
} from '@echora/shared/protocol/rest/bots';
import { apiBase } from '../lib/config.ts';
import { uploadFile } from '../uploads/upload.ts';
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

/** Uploads an image and makes it the avatar at `path` (a bot's or a webhook's `…/avatar`). */
async function putAvatar<T>(token: string, path: string, image: File): Promise<T> {
  const upload = await uploadFile(image, image.name, token, () => {});
  return apiFetch<T>(path, { method: 'PUT', token, body: { avatarUploadId: upload.id } });
}

/** A bot's new avatar (manage community); its messages and member row show it. */
export async function setBotAvatar(token: string, id: string, image: File): Promise<Bot> {
  return (await putAvatar<{ bot: Bot }>(token, `/bots/${id}/avatar`, image)).bot;
}

/** A webhook's new avatar (manage channels there); its posts show it. */
export async function setWebhookAvatar(
  token: string,
  channelId: string,
  id: string,
  image: File,
): Promise<Webhook> {
  const path = `/channels/${channelId}/webhooks/${id}/avatar`;
  return (await putAvatar<{ webhook: Webhook }>(token, path, image)).webhook;
}

/** The full URL of a webhook's path (`/api/webhooks/…`) on the server this client talks to. */
export const webhookUrl = (path: string): string =>
  new URL(`${apiBase.replace(/\/api$/, '')}${path}`, location.origin).href;
