import { COMMUNITY_SCOPE, dmId, type Channel } from '@echora/shared';
import type { EntityRef, Mutators } from './types.ts';

const channelRef = (id: string): EntityRef[] => [{ entity: 'channel', id, scope: COMMUNITY_SCOPE }];

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

export const dmMutators = {
  'dm.open': {
    // The conversation's id comes from both user ids; `prepare` puts it in `local`.
    touches: ({ local }) => channelRef(local?.channelId ?? ''),
    apply({ args, createdAt }, ref, row, ctx) {
      if (row || !ref.id) return row;
      return newDm(ref.id, createdAt, [ctx.userId, args.userId], null);
    },
    // Both sides derive the same id, so two offline starts meet in one conversation.
    prepare: (_r, args, ctx) => Promise.resolve({ channelId: dmId(ctx.userId, args.userId) }),
  },
  'dm.create': {
    touches: ({ args }) => channelRef(args.id),
    apply({ args, createdAt }, _ref, row, ctx) {
      if (row) return row;
      return newDm(args.id, createdAt, [ctx.userId, ...args.userIds], ctx.userId, args.name ?? '');
    },
  },
  'dm.rename': {
    touches: ({ args }) => channelRef(args.id),
    apply({ args }, _ref, row) {
      if (!row || !('dm' in row) || !row.dm) return row;
      return { ...row, name: args.name.trim() };
    },
  },
  'dm.add': {
    touches: ({ args }) => channelRef(args.id),
    apply({ args }, _ref, row) {
      if (!row || !('dm' in row) || !row.dm) return row;
      const { participants } = row.dm;
      const added = args.userIds.filter((u) => !participants.includes(u));
      return { ...row, dm: { ...row.dm, participants: [...participants, ...added] } };
    },
  },
  'dm.remove': {
    touches: ({ args }) => channelRef(args.id),
    apply({ args }, _ref, row) {
      if (!row || !('dm' in row) || !row.dm) return row;
      const participants = row.dm.participants.filter((u) => u !== args.userId);
      return { ...row, dm: { ...row.dm, participants } };
    },
  },
  'dm.leave': {
    touches: ({ args }) => channelRef(args.id),
    apply: () => null,
  },
  'user.block': {
    touches: ({ args }) => [{ entity: 'block', id: args.userId, scope: '' }],
    apply({ args, createdAt }, _ref, row) {
      if (!args.blocked) return null;
      return row ?? { id: args.userId, createdAt };
    },
  },
} satisfies Mutators<
  'dm.open' | 'dm.create' | 'dm.rename' | 'dm.add' | 'dm.remove' | 'dm.leave' | 'user.block'
>;
