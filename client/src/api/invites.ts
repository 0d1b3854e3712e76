import { apiFetch } from './http.ts';

/** An invite as its creator's community lists it. */
export interface Invite {
  code: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revoked: boolean;
}

/** Why an invite cannot be used, as the public lookup says. */
export type InviteProblem = 'expired' | 'used_up' | 'revoked';

/** What anyone (signed in or not) learns from an invite code. */
export interface InvitePreview {
  code: string;
  communityName: string;
  valid: boolean;
  reason: InviteProblem | null;
}

/** Creates an invite; null means no expiry / unlimited uses. */
export function createInvite(
  token: string,
  options: { maxUses: number | null; expiresInMinutes: number | null },
): Promise<Invite> {
  const body: { maxUses?: number; expiresInMinutes?: number } = {};
  if (options.maxUses !== null) body.maxUses = options.maxUses;
  if (options.expiresInMinutes !== null) body.expiresInMinutes = options.expiresInMinutes;
  return apiFetch<Invite>('/invites', { method: 'POST', token, body });
}

/** The community's invites. */
export async function listInvites(token: string): Promise<Invite[]> {
  const answer = await apiFetch<{ invites: Invite[] }>('/invites', { token });
  return answer.invites;
}

/** Revokes an invite; uses already made stay. */
export async function revokeInvite(token: string, code: string): Promise<void> {
  await apiFetch<unknown>(`/invites/${encodeURIComponent(code)}`, { method: 'DELETE', token });
}

/** The public view of an invite (no sign-in needed); an unknown code throws `not_found`. */
export function previewInvite(code: string): Promise<InvitePreview> {
  return apiFetch<InvitePreview>(`/invites/${encodeURIComponent(code)}`);
}

/** The link that opens the invite page for `code` on this server. */
export function inviteLink(code: string): string {
  return new URL(`/invite/${encodeURIComponent(code)}`, location.origin).href;
}
