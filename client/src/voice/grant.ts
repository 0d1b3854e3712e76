import type { VoiceGrantResponse, VoiceParticipant } from '@echora/shared/voice/index';
import { apiFetch } from '../api/http.ts';

/** Asks the sync server for a voice grant; throws `ApiError` with its typed refusal. */
export async function requestVoiceGrant(
  channelId: string,
  getToken: () => Promise<string | null>,
): Promise<VoiceGrantResponse> {
  const token = (await getToken()) ?? undefined;
  return apiFetch<VoiceGrantResponse>('/voice/grant', {
    method: 'POST',
    body: { channelId },
    ...(token ? { token } : {}),
  });
}

/** Every non-empty voice channel the user may see (`GET /api/voice/state`). */
export async function fetchVoiceState(
  getToken: () => Promise<string | null>,
): Promise<{ channels: { channelId: string; participants: VoiceParticipant[] }[] }> {
  const token = (await getToken()) ?? undefined;
  return apiFetch('/voice/state', token ? { token } : {});
}
