import { Permission, type PermissionName } from '@echora/shared';

/** A permission bit as people read it, with what it lets a role do. */
export interface PermissionLabel {
  name: PermissionName;
  bit: number;
  label: string;
  description: string;
}

const LABELS: Record<PermissionName, [string, string]> = {
  viewChannel: ['View channels', 'See channels and read their messages'],
  sendMessages: ['Send messages', 'Write in text channels'],
  manageMessages: ['Manage messages', "Delete other people's messages"],
  manageChannels: ['Manage channels', 'Create, rename, reorder and delete channels'],
  manageRoles: ['Manage roles', 'Create and edit roles below their own, and assign them'],
  kickMembers: ['Kick members', 'Remove members (they may come back by invite)'],
  banMembers: ['Ban members', 'Remove members for good and see the ban list'],
  timeoutMembers: [
    'Time out members',
    'Stop members from sending, reacting and speaking for a while',
  ],
  createInvites: ['Create invites', 'Make invite links'],
  attachFiles: ['Attach files', 'Upload files and images'],
  addReactions: ['Add reactions', 'React to messages'],
  mentionEveryone: ['Mention @everyone', 'Notify everyone at once'],
  connect: ['Connect', 'Join voice channels'],
  speak: ['Speak', 'Be heard in voice channels'],
  stream: ['Video and screen share', 'Share a camera or the screen in voice channels'],
  muteMembers: ['Mute members', 'Mute others in voice channels'],
  moveMembers: ['Move members', 'Move others between voice channels'],
  manageCommunity: ['Manage community', 'Change the community name and who may register'],
  viewAuditLog: ['View audit log', 'Read the log of moderation and settings changes'],
  administrator: ['Administrator', 'Every permission, in every channel; overrides do not apply'],
};

/** Every permission, in the order the settings show them. */
export const PERMISSION_LABELS: readonly PermissionLabel[] = (
  Object.keys(LABELS) as PermissionName[]
).map((name) => ({
  name,
  bit: Permission[name],
  label: LABELS[name][0],
  description: LABELS[name][1],
}));

const COMMUNITY_ONLY =
  Permission.administrator |
  Permission.manageRoles |
  Permission.kickMembers |
  Permission.banMembers |
  Permission.timeoutMembers |
  Permission.createInvites |
  Permission.manageCommunity |
  Permission.viewAuditLog;

/** Bits that mean something per channel (the channel permission editor shows only these). */
export const CHANNEL_PERMISSION_LABELS: readonly PermissionLabel[] = PERMISSION_LABELS.filter(
  (p) => (p.bit & COMMUNITY_ONLY) === 0,
);
