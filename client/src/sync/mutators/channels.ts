import { channelScope, COMMUNITY_SCOPE } from '@echora/shared';
import type { EntityRef, Mutators } from './types.ts';

const channelRef = (id: string): EntityRef[] => [{ entity: 'channel', id, scope: COMMUNITY_SCOPE }];

const checkName = ({ name }: { name: string }) =>
  name.trim() === '' ? 'name: must not be blank' : undefined;

export const channelMutators = {
  'channel.create': {
    touches: ({ args }) => channelRef(args.id),
    apply({ args, createdAt, local }, _ref, row) {
      if (row) return row;
      return {
        id: args.id,
        kind: args.kind,
        name: args.name,
        topic: args.topic ?? '',
        position: local?.position ?? 0,
        createdAt,
        parentId: null,
        parentMessageId: null,
        overrides: [],
      };
    },
    // A new channel goes last.
    async prepare(r) {
      const last = await r.channels.orderBy('position').last();
      return { position: (last?.position ?? -1) + 1 };
    },
    check: checkName,
  },
  'channel.rename': {
    touches: ({ args }) => channelRef(args.id),
    apply({ args }, _ref, row) {
      if (!row || !('topic' in row)) return row;
      return { ...row, name: args.name, topic: args.topic ?? row.topic };
    },
    check: checkName,
  },
  'channel.delete': {
    touches: ({ args }) => channelRef(args.id),
    apply: () => null,
  },
  'channel.reorder': {
    touches: ({ args }) => args.ids.flatMap(channelRef),
    apply({ args }, ref, row) {
      if (!row || !('position' in row)) return row;
      return { ...row, position: args.ids.indexOf(ref.id) };
    },
  },
  'channel.overrides': {
    touches: ({ args }) => channelRef(args.channelId),
    apply({ args }, _ref, row) {
      if (!row || !('overrides' in row)) return row;
      const { targetType, targetId, allow, deny } = args;
      const others = row.overrides.filter(
        (o) => o.targetType !== targetType || o.targetId !== targetId,
      );
      const overrides =
        allow === 0 && deny === 0 ? others : [...others, { targetType, targetId, allow, deny }];
      return { ...row, overrides };
    },
  },
  'thread.create': {
    // The thread's channel, and the message it starts from (which shows its summary).
    touches: ({ args }) => [
      ...channelRef(args.id),
      { entity: 'message', id: args.messageId, scope: channelScope(args.channelId) },
    ],
    apply({ args, createdAt }, ref, row) {
      if (ref.entity === 'channel') {
        if (row) return row;
        return {
          id: args.id,
          kind: 'thread',
          name: args.name,
          topic: '',
          position: 0,
          createdAt,
          parentId: args.channelId,
          parentMessageId: args.messageId,
          overrides: [],
        };
      }
      if (!row || !('reactions' in row) || row.thread) return row;
      return { ...row, thread: { id: args.id, replyCount: 0, lastReplyAt: null } };
    },
  },
} satisfies Mutators<
  | 'channel.create'
  | 'channel.rename'
  | 'channel.delete'
  | 'channel.reorder'
  | 'channel.overrides'
  | 'thread.create'
>;
