import { channelScope, emptyMessageExtras } from '@echora/shared';
import { PENDING_SORT_BASE, type LocalMessage, type Replica } from '../replica.ts';
import type { EntityRef, LocalValues, Mutators } from './types.ts';

/**
 * A message named by id; the scope is its channel's when known (`local.channelId`),
 * since the scope decides where its change arrives.
 */
export function messageRef(id: string, local: LocalValues | undefined): EntityRef[] {
  const channelId = local?.channelId;
  return [{ entity: 'message', id, scope: channelId === undefined ? '' : channelScope(channelId) }];
}

/** The channel of a message the device holds (in the view, or as server state under a change). */
export async function messageChannel(r: Replica, id: string): Promise<LocalValues | undefined> {
  const held = (await r.messages.get(id)) ?? (await r.shadows.get(`message:${id}`))?.row;
  return held && 'channelId' in held ? { channelId: held.channelId } : undefined;
}

/** A message's content must not be blank, unless it carries files (a caption is optional). */
function checkContent(args: { content: string; attachmentIds?: string[] }): string | undefined {
  if (args.content.trim() === '' && !args.attachmentIds?.length)
    return 'content: must not be blank';
  return undefined;
}

export const messageMutators = {
  'message.send': {
    touches: ({ args }) => [
      { entity: 'message', id: args.id, scope: channelScope(args.channelId) },
    ],
    apply({ id, args, createdAt }, _ref, row, ctx) {
      // The server already has it (a resend after the change arrived): its row wins.
      if (row) return row;
      const message: LocalMessage = {
        id: args.id,
        channelId: args.channelId,
        authorId: ctx.userId,
        content: args.content,
        seq: 0,
        createdAt,
        editedAt: null,
        ...emptyMessageExtras(),
        replyToId: args.replyToId ?? null,
        status: 'pending',
        sortKey: PENDING_SORT_BASE + (id ?? 0),
      };
      return message;
    },
    check: checkContent,
  },
  'message.edit': {
    touches: ({ args, local }) => messageRef(args.id, local),
    apply({ args, createdAt }, _ref, row) {
      if (!row || !('content' in row)) return row;
      return { ...row, content: args.content, editedAt: createdAt };
    },
    prepare: (r, args) => messageChannel(r, args.id),
    check: checkContent,
  },
  'message.delete': {
    touches: ({ args, local }) => messageRef(args.id, local),
    apply: () => null,
    prepare: (r, args) => messageChannel(r, args.id),
  },
  'message.pin': {
    touches: ({ args, local }) => messageRef(args.id, local),
    apply({ args, createdAt }, _ref, row) {
      if (!row || !('pinnedAt' in row)) return row;
      if ((row.pinnedAt !== null) === args.pinned) return row;
      return { ...row, pinnedAt: args.pinned ? createdAt : null };
    },
    prepare: (r, args) => messageChannel(r, args.id),
  },
  'message.removePreview': {
    touches: ({ args, local }) => messageRef(args.id, local),
    apply(_step, _ref, row) {
      if (!row || !('previews' in row)) return row;
      const { previews: _removed, ...rest } = row;
      return rest;
    },
    prepare: (r, args) => messageChannel(r, args.id),
  },
  // A report changes nothing the reporter's device shows.
  'message.report': { touches: () => [], apply: (_step, _ref, row) => row },
} satisfies Mutators<
  | 'message.send'
  | 'message.edit'
  | 'message.delete'
  | 'message.pin'
  | 'message.removePreview'
  | 'message.report'
>;
