import type {
  VoiceGrantResponse,
  VoiceModerateRequest,
  VoiceModerateResponse,
} from '@echora/shared/voice/index';
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

/** Server-mutes and/or server-deafens a user in voice (needs mute members there). */
export async function moderateVoice(
  request: VoiceModerateRequest,
  getToken: () => Promise<string | null>,
): Promise<VoiceModerateResponse> {
  const token = (await getToken()) ?? undefined;
  return apiFetch<VoiceModerateResponse>('/voice/moderate', {
    method: 'POST',
    body: request,
    ...(token ? { token } : {}),
  });
}
