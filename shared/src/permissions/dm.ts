import { Permission, TIMEOUT_DENIED } from './bits.ts';

/** What decides one user's permissions in a direct conversation. */
export interface DmStanding {
  isParticipant: boolean;
  isGroup: boolean;
  /** In a 1:1 conversation: the other person is still a member (not kicked or banned). */
  otherIsMember: boolean;
  /** In a 1:1 conversation: either of the two has blocked the other. */
  isBlocked: boolean;
  isTimedOut: boolean;
}

/** What participants may do in a direct conversation. */
export const DM_PERMISSIONS =
  Permission.viewChannel |
  Permission.sendMessages |
  Permission.attachFiles |
  Permission.addReactions;

/**
 * Permissions in a direct conversation: its participants only, whatever their
 * roles (owner and administrators included). A 1:1 conversation is read-only
 * while either has blocked the other, or once the other is no longer a member
 * (kicked or banned); a timeout applies as in channels. Participants may also
 * pin (see the pin mutation), without manage messages.
 */
export function dmPermissions(s: DmStanding): number {
  if (!s.isParticipant) return 0;
  if (!s.isGroup && (!s.otherIsMember || s.isBlocked)) return Permission.viewChannel;
  return s.isTimedOut ? DM_PERMISSIONS & ~TIMEOUT_DENIED : DM_PERMISSIONS;
}
