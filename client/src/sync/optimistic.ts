import {
  channelScope,
  COMMUNITY_SCOPE,
  emptyMessageExtras,
  setReaction,
  USER_SETTINGS_ID,
  withDefaults,
  type MutationArgs,
  type MutationName,
  type Channel,
  type ReadState,
} from '@echora/shared';
import {
  PENDING_SORT_BASE,
  type EntityKind,
  type EntityRow,
  type LocalMessage,
  type OutboxEntry,
} from './replica.ts';
import * as polls from './mutators/polls.ts';

/** One entity a mutation changes, with the scope its server state lives in. */
export interface EntityRef {
  entity: EntityKind;
  id: string;
  scope: string;
}

export type { EntityRow } from './replica.ts';

/** The key of an entity in the shadow table. */
export const entityKey = (entity: EntityKind, id: string): string => `${entity}:${id}`;

/** Context for applying a mutation locally. */
export interface ApplyContext {
  userId: string;
}

type Entry = Pick<OutboxEntry, 'id' | 'name' | 'args' | 'createdAt' | 'local'>;

const as = <N extends MutationName>(_name: N, args: unknown) => args as MutationArgs<N>;

/**
 * The entities a mutation touches. Message edits and deletes name the message's
 * channel when known (`channelId`), since the scope decides where its change arrives.
 */
export function touches(entry: Entry): EntityRef[] {
  const { name, args } = entry;
  switch (name) {
    case 'message.send': {
      const a = as(name, args);
      return [{ entity: 'message', id: a.id, scope: channelScope(a.channelId) }];
    }
    case 'message.edit':
    case 'message.delete': {
      const a = as(name, args);
      const channelId = entry.local?.channelId;
      const scope = channelId === undefined ? '' : channelScope(channelId);
      return [{ entity: 'message', id: a.id, scope }];
    }
    case 'channel.create':
    case 'channel.rename':
    case 'channel.delete':
      return [{ entity: 'channel', id: as(name, args).id, scope: COMMUNITY_SCOPE }];
    case 'channel.reorder':
      return as(name, args).ids.map((id) => ({ entity: 'channel', id, scope: COMMUNITY_SCOPE }));
    case 'thread.create': {
      // The thread's channel, and the message it starts from (which shows its summary).
      const a = as(name, args);
      return [
        { entity: 'channel', id: a.id, scope: COMMUNITY_SCOPE },
        { entity: 'message', id: a.messageId, scope: channelScope(a.channelId) },
      ];
    }
    case 'reaction.toggle':
    case 'message.pin': {
      const id = name === 'message.pin' ? as(name, args).id : as(name, args).messageId;
      const channelId = entry.local?.channelId;
      return [
        { entity: 'message', id, scope: channelId === undefined ? '' : channelScope(channelId) },
      ];
    }
    case 'role.create':
    case 'role.update':
    case 'role.delete':
      return [{ entity: 'role', id: as(name, args).id, scope: COMMUNITY_SCOPE }];
    case 'role.reorder':
      return as(name, args).ids.map((id) => ({ entity: 'role', id, scope: COMMUNITY_SCOPE }));
    case 'member.roles':
      return [{ entity: 'member', id: as(name, args).userId, scope: COMMUNITY_SCOPE }];
    case 'channel.overrides':
      return [{ entity: 'channel', id: as(name, args).channelId, scope: COMMUNITY_SCOPE }];
    case 'typing.start':
      return [];
    case 'read.mark':
    case 'channel.mute':
      // The user's own scope; `touches` has no user id, and that scope is only
      // revoked at sign-out, when the whole replica goes.
      return [{ entity: 'readState', id: as(name, args).channelId, scope: '' }];
    case 'settings.update':
      // One row per user scope, under a fixed id (see `USER_SETTINGS_ID`).
      return [{ entity: 'userSettings', id: USER_SETTINGS_ID, scope: '' }];
    case 'dm.open':
      // The conversation's id comes from both user ids; the caller puts it in `local`.
      return [{ entity: 'channel', id: entry.local?.channelId ?? '', scope: COMMUNITY_SCOPE }];
    case 'dm.create':
    case 'dm.rename':
    case 'dm.add':
    case 'dm.remove':
    case 'dm.leave':
      return [{ entity: 'channel', id: as(name, args).id, scope: COMMUNITY_SCOPE }];
    case 'user.block':
      return [{ entity: 'block', id: as(name, args).userId, scope: '' }];
    case 'message.report':
      return [];
    case 'poll.create':
    case 'poll.vote':
    case 'poll.close':
      return polls.touches(entry);
  }
}

/** A direct conversation as the device shows it before the server has answered. */
function newDm(
  id: string,
  createdAt: string,
  participants: string[],
  ownerId: string | null,
  name = '',
): Channel {
  return {
    id,
    kind: 'dm',
    name,
    topic: '',
    position: 0,
    createdAt,
    parentId: null,
    parentMessageId: null,
    overrides: [],
    dm: { participants, ownerId, isGroup: ownerId !== null },
  };
}

/**
 * Applies one queued mutation to one entity's row (null: absent) and returns
 * the new row. Pure, so the view can be recomputed as server state plus
 * whatever is still pending, in order, any number of times.
 */
export function applyMutation(
  entry: Entry,
  ref: EntityRef,
  row: EntityRow | null,
  ctx: ApplyContext,
): EntityRow | null {
  switch (entry.name) {
    case 'message.send': {
      // The server already has it (a resend after the change arrived): its row wins.
      if (row) return row;
      const a = as(entry.name, entry.args);
      const message: LocalMessage = {
        id: a.id,
        channelId: a.channelId,
        authorId: ctx.userId,
        content: a.content,
        seq: 0,
        createdAt: entry.createdAt,
        editedAt: null,
        ...emptyMessageExtras(),
        replyToId: a.replyToId ?? null,
        status: 'pending',
        sortKey: PENDING_SORT_BASE + (entry.id ?? 0),
      };
      return message;
    }
    case 'message.edit': {
      if (!row || !('content' in row)) return row;
      return { ...row, content: as(entry.name, entry.args).content, editedAt: entry.createdAt };
    }
    case 'message.delete':
    case 'channel.delete':
      return null;
    case 'channel.create': {
      if (row) return row;
      const a = as(entry.name, entry.args);
      return {
        id: a.id,
        kind: a.kind,
        name: a.name,
        topic: a.topic ?? '',
        position: entry.local?.position ?? 0,
        createdAt: entry.createdAt,
        parentId: null,
        parentMessageId: null,
        overrides: [],
      };
    }
    case 'channel.rename': {
      if (!row || !('topic' in row)) return row;
      const a = as(entry.name, entry.args);
      return { ...row, name: a.name, topic: a.topic ?? row.topic };
    }
    case 'channel.reorder': {
      if (!row || !('position' in row)) return row;
      return { ...row, position: as(entry.name, entry.args).ids.indexOf(ref.id) };
    }
    case 'thread.create': {
      const a = as(entry.name, entry.args);
      if (ref.entity === 'channel') {
        if (row) return row;
        return {
          id: a.id,
          kind: 'thread',
          name: a.name,
          topic: '',
          position: 0,
          createdAt: entry.createdAt,
          parentId: a.channelId,
          parentMessageId: a.messageId,
          overrides: [],
        };
      }
      if (!row || !('reactions' in row) || row.thread) return row;
      return { ...row, thread: { id: a.id, replyCount: 0, lastReplyAt: null } };
    }
    case 'reaction.toggle': {
      if (!row || !('reactions' in row)) return row;
      const a = as(entry.name, entry.args);
      const reactions = setReaction(row.reactions, a.emoji, ctx.userId, a.on);
      return reactions ? { ...row, reactions } : row;
    }
    case 'message.pin': {
      if (!row || !('pinnedAt' in row)) return row;
      const { pinned } = as(entry.name, entry.args);
      if ((row.pinnedAt !== null) === pinned) return row;
      return { ...row, pinnedAt: pinned ? entry.createdAt : null };
    }
    case 'role.create': {
      if (row) return row;
      const a = as(entry.name, entry.args);
      // The server puts a new role lowest (position 1) and moves the others up.
      return {
        id: a.id,
        name: a.name,
        color: a.color ?? 0,
        position: 1,
        permissions: a.permissions ?? 0,
        isEveryone: false,
      };
    }
    case 'role.update': {
      if (!row || !('isEveryone' in row)) return row;
      const a = as(entry.name, entry.args);
      return {
        ...row,
        name: a.name ?? row.name,
        color: a.color ?? row.color,
        permissions: a.permissions ?? row.permissions,
      };
    }
    case 'role.delete':
      return null;
    case 'role.reorder': {
      if (!row || !('isEveryone' in row)) return row;
      const ids = as(entry.name, entry.args).ids;
      return { ...row, position: ids.length - ids.indexOf(ref.id) };
    }
    case 'member.roles': {
      if (!row || !('roleIds' in row)) return row;
      return { ...row, roleIds: as(entry.name, entry.args).roleIds };
    }
    case 'channel.overrides': {
      if (!row || !('overrides' in row)) return row;
      const a = as(entry.name, entry.args);
      const others = row.overrides.filter(
        (o) => o.targetType !== a.targetType || o.targetId !== a.targetId,
      );
      const { targetType, targetId, allow, deny } = a;
      const overrides =
        allow === 0 && deny === 0 ? others : [...others, { targetType, targetId, allow, deny }];
      return { ...row, overrides };
    }
    case 'typing.start':
      return row;
    case 'read.mark':
    case 'channel.mute': {
      const a = as(entry.name, entry.args);
      const state: ReadState =
        row && 'lastReadSeq' in row ? row : { id: a.channelId, lastReadSeq: 0, muted: false };
      // Mirrors the server: the mark only moves forward.
      if ('seq' in a) return { ...state, lastReadSeq: Math.max(state.lastReadSeq, a.seq) };
      return { ...state, muted: a.muted };
    }
    case 'settings.update': {
      // Mirrors the server: the given keys over what is stored, over the defaults.
      const current = row && 'theme' in row ? row : withDefaults(null);
      return { ...current, ...as(entry.name, entry.args) };
    }
    case 'dm.open': {
      if (row || !ref.id) return row;
      const a = as(entry.name, entry.args);
      return newDm(ref.id, entry.createdAt, [ctx.userId, a.userId], null);
    }
    case 'dm.create': {
      if (row) return row;
      const a = as(entry.name, entry.args);
      return newDm(a.id, entry.createdAt, [ctx.userId, ...a.userIds], ctx.userId, a.name ?? '');
    }
    case 'dm.rename': {
      if (!row || !('dm' in row) || !row.dm) return row;
      return { ...row, name: as(entry.name, entry.args).name.trim() };
    }
    case 'dm.add': {
      if (!row || !('dm' in row) || !row.dm) return row;
      const added = as(entry.name, entry.args).userIds.filter(
        (u) => !row.dm?.participants.includes(u),
      );
      return { ...row, dm: { ...row.dm, participants: [...row.dm.participants, ...added] } };
    }
    case 'dm.remove': {
      if (!row || !('dm' in row) || !row.dm) return row;
      const { userId } = as(entry.name, entry.args);
      return {
        ...row,
        dm: { ...row.dm, participants: row.dm.participants.filter((u) => u !== userId) },
      };
    }
    case 'dm.leave':
      return null;
    case 'user.block': {
      const a = as(entry.name, entry.args);
      if (!a.blocked) return null;
      return row ?? { id: a.userId, createdAt: entry.createdAt };
    }
    case 'message.report':
      return row;
    case 'poll.create':
    case 'poll.vote':
    case 'poll.close':
      return polls.apply(entry, ref, row, ctx);
  }
}

/** A client-side check the server would also make, so obvious mistakes fail at once. */
export function localRule(name: MutationName, args: unknown): string | undefined {
  if (name === 'message.send' || name === 'message.edit') {
    const { content, attachmentIds } = args as { content: string; attachmentIds?: string[] };
    // A message of files only may have no caption.
    if (content.trim() === '' && !attachmentIds?.length) return 'content: must not be blank';
  }
  if (name === 'channel.create' || name === 'channel.rename') {
    const channelName = (args as { name: string }).name;
    if (channelName.trim() === '') return 'name: must not be blank';
  }
  return undefined;
}
