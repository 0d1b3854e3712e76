import type { AroundResponse } from '@echora/shared/protocol/rest/search';
import { apiFetch } from './http.ts';

/** `GET /api/channels/:id/messages?around=`: the history around one message. */
export function aroundFetcher(getToken: () => Promise<string | null>) {
  return async (channelId: string, around: string, limit: number): Promise<AroundResponse> => {
    const token = await getToken();
    if (!token) throw new Error('Signed out.');
    const query = new URLSearchParams({ around, limit: String(limit) });
    return apiFetch<AroundResponse>(
      `/channels/${encodeURIComponent(channelId)}/messages?${query.toString()}`,
      { token },
    );
  };
}
