/**
 * Permission bits. A role grants a set of them; channel overrides allow or
 * deny them per channel. Stored as a number (all bits < 2^31).
 */
export const Permission = {
  viewChannel: 1 << 0,
  sendMessages: 1 << 1,
  manageMessages: 1 << 2,
  manageChannels: 1 << 3,
  manageRoles: 1 << 4,
  kickMembers: 1 << 5,
  banMembers: 1 << 6,
  timeoutMembers: 1 << 7,
  createInvites: 1 << 8,
  attachFiles: 1 << 9,
  addReactions: 1 << 10,
  mentionEveryone: 1 << 11,
  connect: 1 << 12,
  speak: 1 << 13,
  stream: 1 << 14,
  muteMembers: 1 << 15,
  moveMembers: 1 << 16,
  administrator: 1 << 17,
  manageCommunity: 1 << 18,
  viewAuditLog: 1 << 19,
} as const;
export type PermissionName = keyof typeof Permission;

export const ALL_PERMISSIONS = Object.values(Permission).reduce((a, b) => a | b, 0);

/** What `@everyone` may do on a new install. */
export const DEFAULT_EVERYONE =
  Permission.viewChannel |
  Permission.sendMessages |
  Permission.createInvites |
  Permission.attachFiles |
  Permission.addReactions |
  Permission.connect |
  Permission.speak |
  Permission.stream;

/** Bits a timed-out member loses everywhere, whatever their roles say. */
export const TIMEOUT_DENIED =
  Permission.sendMessages | Permission.addReactions | Permission.speak | Permission.stream;

export const has = (perms: number, bit: number): boolean => (perms & bit) === bit;
