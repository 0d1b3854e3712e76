import { apiFetch } from './http.ts';

export type Registration = 'open' | 'invite';

/** The community's settings. */
export interface CommunitySettings {
  name: string;
  registration: Registration;
  /** Whether the server unfurls links of new messages into preview cards. */
  linkPreviews: boolean;
}

/** One audit log entry: who did what to whom, why and when. */
export interface AuditEntry {
  id: number;
  actorId: string | null;
  /** Display names at the time, when the server sends them (a kicked member is no longer in the replica). */
  actorName?: string | null;
  targetName?: string | null;
  /** `member.kick`, `role.update`, `channel.overrides` ... */
  action: string;
  targetType: 'user' | 'role' | 'channel' | 'invite' | 'community' | null;
  targetId: string | null;
  reason: string | null;
  /** Action details, e.g. `{minutes, until}` for a timeout, `{added, removed}` for roles. */
  data: Record<string, unknown> | null;
  createdAt: string;
}

/** The community's settings (public: the invite page reads it signed out). */
export function getCommunity(): Promise<CommunitySettings> {
  return apiFetch<CommunitySettings>('/community');
}

/** Changes the name, the registration mode and/or the link preview switch. */
export function updateCommunity(
  token: string,
  changes: Partial<CommunitySettings>,
): Promise<CommunitySettings> {
  return apiFetch<CommunitySettings>('/community', { method: 'PATCH', token, body: changes });
}

/** One page of the audit log, newest first: entries older than `before` (an entry id). */
export async function auditLog(
  token: string,
  before: number | null,
  limit: number,
): Promise<{ entries: AuditEntry[]; hasMore: boolean }> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (before !== null) query.set('before', String(before));
  return apiFetch<{ entries: AuditEntry[]; hasMore: boolean }>(`/audit-log?${query.toString()}`, {
    token,
  });
}
