import type { Static, TSchema } from 'typebox';
import { channelCreateArgs } from './channel-create.ts';
import { channelDeleteArgs } from './channel-delete.ts';
import { channelRenameArgs } from './channel-rename.ts';
import { channelReorderArgs } from './channel-reorder.ts';
import { messageDeleteArgs } from './message-delete.ts';
import { messageEditArgs } from './message-edit.ts';
import { messageSendArgs } from './message-send.ts';
import { readMarkArgs } from './read-mark.ts';
import { channelMuteArgs } from './channel-mute.ts';
import { typingStartArgs } from './typing-start.ts';
import { roleCreateArgs } from './role-create.ts';
import { roleUpdateArgs } from './role-update.ts';
import { roleDeleteArgs } from './role-delete.ts';
import { roleReorderArgs } from './role-reorder.ts';
import { memberRolesArgs } from './member-roles.ts';
import { channelOverridesArgs } from './channel-overrides.ts';
import { threadCreateArgs } from './thread-create.ts';
import { reactionToggleArgs } from './reaction-toggle.ts';
import { messagePinArgs } from './message-pin.ts';
import { messageRemovePreviewArgs } from './message-remove-preview.ts';
import { settingsUpdateArgs } from './settings-update.ts';
import { dmOpenArgs } from './dm-open.ts';
import { dmAddArgs, dmCreateArgs, dmLeaveArgs, dmRemoveArgs, dmRenameArgs } from './dm-group.ts';
import { userBlockArgs } from './user-block.ts';
import { messageReportArgs } from './message-report.ts';
import { pollCloseArgs, pollCreateArgs, pollVoteArgs } from './poll.ts';

/** Every named mutation and the schema of its arguments. */
export const mutationArgs = {
  'channel.create': channelCreateArgs,
  'channel.rename': channelRenameArgs,
  'channel.delete': channelDeleteArgs,
  'channel.reorder': channelReorderArgs,
  'message.send': messageSendArgs,
  'message.edit': messageEditArgs,
  'message.delete': messageDeleteArgs,
  'typing.start': typingStartArgs,
  'role.create': roleCreateArgs,
  'role.update': roleUpdateArgs,
  'role.delete': roleDeleteArgs,
  'role.reorder': roleReorderArgs,
  'member.roles': memberRolesArgs,
  'channel.overrides': channelOverridesArgs,
  'thread.create': threadCreateArgs,
  'reaction.toggle': reactionToggleArgs,
  'message.pin': messagePinArgs,
  'message.removePreview': messageRemovePreviewArgs,
  'read.mark': readMarkArgs,
  'channel.mute': channelMuteArgs,
  'settings.update': settingsUpdateArgs,
  'dm.open': dmOpenArgs,
  'dm.create': dmCreateArgs,
  'dm.rename': dmRenameArgs,
  'dm.add': dmAddArgs,
  'dm.remove': dmRemoveArgs,
  'dm.leave': dmLeaveArgs,
  'user.block': userBlockArgs,
  'message.report': messageReportArgs,
  'poll.create': pollCreateArgs,
  'poll.vote': pollVoteArgs,
  'poll.close': pollCloseArgs,
} as const satisfies Record<string, TSchema>;

export type MutationName = keyof typeof mutationArgs;
export type MutationArgs<N extends MutationName> = Static<(typeof mutationArgs)[N]>;
export const mutationNames = Object.keys(mutationArgs) as MutationName[];

/**
 * Mutations that touch no durable state: not recorded, never in the outbox across reloads.
 * They stand outside the per-client sequence: the server answers them with an ack or reject
 * echoing their `seq` but neither checks nor advances the expected seq, so a client must not
 * take their `seq` from its durable counter (reusing the last durable seq, or any number >= 1,
 * is fine).
 */
export const ephemeralMutations: ReadonlySet<MutationName> = new Set<EphemeralMutationName>([
  'typing.start',
]);
export type EphemeralMutationName = 'typing.start';
/** Mutations that change durable state: recorded, replayed exactly once, in the outbox. */
export type DurableMutationName = Exclude<MutationName, EphemeralMutationName>;

export * from './channel-create.ts';
export * from './channel-rename.ts';
export * from './channel-delete.ts';
export * from './channel-reorder.ts';
export * from './message-send.ts';
export * from './message-edit.ts';
export * from './message-delete.ts';
export * from './typing-start.ts';
export * from './role-common.ts';
export * from './role-create.ts';
export * from './role-update.ts';
export * from './role-delete.ts';
export * from './role-reorder.ts';
export * from './member-roles.ts';
export * from './channel-overrides.ts';
export * from './thread-create.ts';
export * from './reaction-toggle.ts';
export * from './message-pin.ts';
export * from './message-remove-preview.ts';
export * from './read-mark.ts';
export * from './channel-mute.ts';
export * from './settings-update.ts';
export * from './dm-open.ts';
export * from './dm-group.ts';
export * from './user-block.ts';
export * from './message-report.ts';
export * from './poll.ts';
