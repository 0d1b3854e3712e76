import { voiceCloseReason, type VoiceRevokeReason } from '@echora/shared/voice/index';
import type { SignalClose } from './signaling.ts';

/** What the user is told when the sync server ended their call, by reason. */
const REVOKED: Record<VoiceRevokeReason, string> = {
  banned: 'You were banned from this community.',
  kicked: 'You were removed from this community.',
  timed_out: 'You were timed out: no voice until the timeout ends.',
  no_access: 'You no longer have access to this voice channel.',
};

/** By the reason key the SFU's close starts with. */
const REASONS: Record<string, string> = {
  [voiceCloseReason.replaced]: 'You joined this channel from somewhere else.',
  [voiceCloseReason.forbidden]: 'You were removed from the voice channel.',
  [voiceCloseReason.grantInvalid]: 'The voice server refused the connection.',
  [voiceCloseReason.wrongNode]: 'The voice server refused the connection.',
};

/** The message for a final close of the SFU socket, or null when there is nothing to say. */
export function closeMessage(close: SignalClose): string | null {
  if (close.reason === voiceCloseReason.accessRevoked)
    return REVOKED[close.detail as VoiceRevokeReason] ?? REVOKED.no_access;
  return REASONS[close.reason] ?? null;
}

/** The message for a grant the sync server refused mid-call. */
export function refusalMessage(error: { kind: string; message: string }): string {
  // A channel one cannot see is "not found": say what it means for this call.
  if (error.kind === 'not_found') return REVOKED.no_access;
  if (error.kind === 'unauthorized') return 'You were signed out.';
  return error.message || REVOKED.no_access;
}
