import { COMMUNITY_SCOPE } from '@echora/shared';
import type { EntityRef, Mutators } from './types.ts';

const roleRef = (id: string): EntityRef[] => [{ entity: 'role', id, scope: COMMUNITY_SCOPE }];

export const roleMutators = {
  'role.create': {
    touches: ({ args }) => roleRef(args.id),
    apply({ args }, _ref, row) {
      if (row) return row;
      // The server puts a new role lowest (position 1) and moves the others up.
      return {
        id: args.id,
        name: args.name,
        color: args.color ?? 0,
        position: 1,
        permissions: args.permissions ?? 0,
        isEveryone: false,
      };
    },
  },
  'role.update': {
    touches: ({ args }) => roleRef(args.id),
    apply({ args }, _ref, row) {
      if (!row || !('isEveryone' in row)) return row;
      return {
        ...row,
        name: args.name ?? row.name,
        color: args.color ?? row.color,
        permissions: args.permissions ?? row.permissions,
      };
    },
  },
  'role.delete': {
    touches: ({ args }) => roleRef(args.id),
    apply: () => null,
  },
  'role.reorder': {
    touches: ({ args }) => args.ids.flatMap(roleRef),
    apply({ args }, ref, row) {
      if (!row || !('isEveryone' in row)) return row;
      return { ...row, position: args.ids.length - args.ids.indexOf(ref.id) };
    },
  },
  'member.roles': {
    touches: ({ args }) => [{ entity: 'member', id: args.userId, scope: COMMUNITY_SCOPE }],
    apply({ args }, _ref, row) {
      if (!row || !('roleIds' in row)) return row;
      return { ...row, roleIds: args.roleIds };
    },
  },
} satisfies Mutators<
  'role.create' | 'role.update' | 'role.delete' | 'role.reorder' | 'member.roles'
>;
