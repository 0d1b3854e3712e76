import type { DurableMutationName, MutationArgs } from '@echora/shared';
import type { MutationContext, MutationResult } from '../write/context.ts';
import type { SetWriter } from '../write/set-write.ts';
import {
  createChannel,
  deleteChannel,
  renameChannel,
  reorderChannels,
} from './channels/mutations.ts';
import { deleteMessage, editMessage, sendMessage } from './messages/mutations.ts';
import { pinMessage } from './pins/pin.ts';
import { removePreview } from './previews/remove.ts';
import { toggleReaction } from './reactions/toggle.ts';
import { createThread } from './threads/create.ts';
import { markRead, muteChannel } from './read-state/mutations.ts';
import { updateSettings } from './settings/update.ts';
import { setMemberRoles } from './roles/member-roles.ts';
import { createRole, deleteRole, reorderRoles, updateRole } from './roles/mutations.ts';
import { setChannelOverride } from './roles/overrides.ts';
import { createGroupDm, openDm } from './dms/open.ts';
import { addToDm, leaveDm, removeFromDm, renameDm } from './dms/group.ts';
import { blockUser } from './dms/block.ts';
import { reportMessage } from './dms/report.ts';
import { messageArgumentRules } from './messages/rules.ts';
import { sendSetWriter } from './messages/send-set.ts';
import { createPoll } from './polls/create.ts';
import { closePoll, votePoll } from './polls/vote.ts';

/** Applies one durable mutation inside the batch's transaction (arguments already checked). */
export type Handler<N extends DurableMutationName> = (
  ctx: MutationContext,
  args: MutationArgs<N>,
) => Promise<MutationResult>;

/**
 * Every durable mutation's handler, one line each: a mutation added to
 * `shared` without a handler here does not compile. The socket's dispatch
 * runs them; so can any other front door (an HTTP route for bots).
 */
export const mutationHandlers = {
  'channel.create': createChannel,
  'channel.rename': renameChannel,
  'channel.delete': deleteChannel,
  'channel.reorder': reorderChannels,
  'message.send': sendMessage,
  'message.edit': editMessage,
  'message.delete': deleteMessage,
  'thread.create': createThread,
  'reaction.toggle': toggleReaction,
  'message.pin': pinMessage,
  'message.removePreview': removePreview,
  'read.mark': markRead,
  'channel.mute': muteChannel,
  'settings.update': updateSettings,
  'role.create': createRole,
  'role.update': updateRole,
  'role.delete': deleteRole,
  'role.reorder': reorderRoles,
  'member.roles': setMemberRoles,
  'channel.overrides': setChannelOverride,
  'dm.open': openDm,
  'dm.create': createGroupDm,
  'dm.rename': renameDm,
  'dm.add': addToDm,
  'dm.remove': removeFromDm,
  'dm.leave': leaveDm,
  'user.block': blockUser,
  'message.report': reportMessage,
  'poll.create': createPoll,
  'poll.vote': votePoll,
  'poll.close': closePoll,
} satisfies { [N in DurableMutationName]: Handler<N> };

/**
 * Checks a domain makes on raw arguments before the schema, for answers
 * clearer than the schema's (a message over the length limit says by how much).
 */
export const argumentRules: Partial<Record<DurableMutationName, (args: unknown) => void>> = {
  ...messageArgumentRules,
};

/**
 * Mutations the group commit may write many at once (one statement per table),
 * when the plan says so; see `write/set-write.ts`. Every other one, and every
 * refusal, runs its handler alone.
 */
export const setWriters: { [N in DurableMutationName]?: SetWriter<MutationArgs<N>, unknown> } = {
  'message.send': sendSetWriter,
};
