import {
  channelScope,
  COMMUNITY_SCOPE,
  type Channel,
  type Member,
  type MutationArgs,
  type MutationName,
} from '@echora/shared';
import {
  PENDING_SORT_BASE,
  type EntityKind,
  type LocalMessage,
  type OutboxEntry,
} from './replica.ts';

/** One entity a mutation changes, with the scope its server state lives in. */
export interface EntityRef {
  entity: EntityKind;
  id: string;
  scope: string;
}

export type EntityRow = Channel | Member | LocalMessage;

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
    case 'typing.start':
      return [];
  }
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
    case 'typing.start':
      return row;
  }
}

/** A client-side check the server would also make, so obvious mistakes fail at once. */
export function localRule(name: MutationName, args: unknown): string | undefined {
  if (name === 'message.send' || name === 'message.edit') {
    const content = (args as { content: string }).content;
    if (content.trim() === '') return 'content: must not be blank';
  }
  if (name === 'channel.create' || name === 'channel.rename') {
    const channelName = (args as { name: string }).name;
    if (channelName.trim() === '') return 'name: must not be blank';
  }
  return undefined;
}
