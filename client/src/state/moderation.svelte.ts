import type { Member } from '@echora/shared';
import * as api from '../api/moderation.ts';
import { handleError, toasts } from './toasts.svelte.ts';

/** The timeout lengths offered, as the issue lists them. */
export const TIMEOUT_CHOICES = [
  { label: '60 seconds', minutes: 1 },
  { label: '5 minutes', minutes: 5 },
  { label: '1 hour', minutes: 60 },
  { label: '1 day', minutes: 24 * 60 },
  { label: '1 week', minutes: 7 * 24 * 60 },
] as const;

/** How much history a ban may delete with it. */
export const BAN_DELETE_CHOICES = [
  { label: "Don't delete any", hours: 0 },
  { label: 'Last hour', hours: 1 },
  { label: 'Last 24 hours', hours: 24 },
  { label: 'Last 7 days', hours: 7 * 24 },
] as const;

export type ModerationAction = 'kick' | 'ban' | 'timeout' | 'untimeout';

/** What a moderation action did, for the toast after it. */
const DONE: Record<ModerationAction, (name: string) => string> = {
  kick: (name) => `${name} was kicked.`,
  ban: (name) => `${name} was banned.`,
  timeout: (name) => `${name} is timed out.`,
  untimeout: (name) => `${name}'s timeout was removed.`,
};

/**
 * Kick, ban and timeout through the REST API (online only). The member row's
 * change (gone, or `timedOutUntil`) arrives through sync like any other.
 */
export class Moderation {
  busy = $state(false);

  constructor(private readonly getToken: () => Promise<string | null>) {}

  /** Runs `action` on `member`; true when the server accepted it. */
  async run(
    action: ModerationAction,
    member: Member,
    details: { reason?: string; minutes?: number; deleteMessagesHours?: number } = {},
  ): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      const token = await this.getToken();
      if (!token) throw new Error('You are signed out.');
      const reason = details.reason?.trim() ?? '';
      if (action === 'kick') await api.kick(token, member.id, reason);
      else if (action === 'ban')
        await api.ban(token, member.id, reason, details.deleteMessagesHours ?? 0);
      else if (action === 'timeout')
        await api.timeout(token, member.id, details.minutes ?? 1, reason);
      else await api.timeout(token, member.id, 0);
      toasts.show(DONE[action](member.displayName));
      return true;
    } catch (e) {
      handleError(e, 'Not done');
      return false;
    } finally {
      this.busy = false;
    }
  }
}
