import { apiFetch } from './http.ts';

/*
 * Moderation happens online (REST), not through the outbox: a kick or ban
 * queued while offline and applied hours later would surprise everyone.
 */

/** A ban as `GET /api/moderation/bans` lists it. */
export interface Ban {
  userId: string;
  username: string;
  displayName: string;
  reason: string | null;
  bannedAt: string;
  bannedBy: string | null;
}

/** Removes `userId` from the community; they may come back by invite. */
export async function kick(token: string, userId: string, reason?: string): Promise<void> {
  await apiFetch<unknown>('/moderation/kick', {
    method: 'POST',
    token,
    body: reason ? { userId, reason } : { userId },
  });
}

/** Bans `userId`, deleting their messages of the last `deleteMessagesHours` hours. */
export async function ban(
  token: string,
  userId: string,
  reason: string,
  deleteMessagesHours: number,
): Promise<void> {
  await apiFetch<unknown>('/moderation/ban', {
    method: 'POST',
    token,
    body: { userId, deleteMessagesHours, ...(reason ? { reason } : {}) },
  });
}

/** Lifts a ban. */
export async function unban(token: string, userId: string): Promise<void> {
  await apiFetch<unknown>(`/moderation/bans/${encodeURIComponent(userId)}`, {
    method: 'DELETE',
    token,
  });
}

/** Times `userId` out for `minutes` (0 removes the timeout); answers when it ends. */
export async function timeout(
  token: string,
  userId: string,
  minutes: number,
  reason?: string,
): Promise<{ timedOutUntil: string | null }> {
  return apiFetch<{ timedOutUntil: string | null }>('/moderation/timeout', {
    method: 'POST',
    token,
    body: reason ? { userId, minutes, reason } : { userId, minutes },
  });
}

/** Everyone banned, newest first. */
export async function listBans(token: string): Promise<Ban[]> {
  const answer = await apiFetch<{ bans: Ban[] }>('/moderation/bans', { token });
  return answer.bans;
}
