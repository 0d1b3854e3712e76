import { Permission, has } from './bits.ts';

/**
 * The questions every read and write asks, on resolved channel or community
 * permissions (see `channelPermissions` / `basePermissions`). The client uses
 * them to shape the UI; the server's answer is final.
 */
export const canSee = (channelPerms: number): boolean => has(channelPerms, Permission.viewChannel);

export const canSend = (channelPerms: number): boolean =>
  canSee(channelPerms) && has(channelPerms, Permission.sendMessages);

export const canManageChannels = (perms: number): boolean => has(perms, Permission.manageChannels);

/** Only the author edits a message; nobody else, whatever their role. */
export const canEditMessage = (userId: string, authorId: string): boolean => userId === authorId;

/** The author, or anyone with manage messages in that channel, deletes. */
export const canDeleteMessage = (userId: string, authorId: string, channelPerms: number): boolean =>
  canSee(channelPerms) && (userId === authorId || has(channelPerms, Permission.manageMessages));

export const canConnect = (channelPerms: number): boolean =>
  canSee(channelPerms) && has(channelPerms, Permission.connect);
