import { USER_SETTINGS_ID, withDefaults, type ReadState } from '@echora/shared';
import type { EntityRow } from '../replica.ts';
import type { EntityRef, Mutators } from './types.ts';

/*
 * The user's own rows. Their scope is the user's; `touches` has no user id, and
 * that scope is only revoked at sign-out, when the whole replica goes.
 */

const readStateRef = (channelId: string): EntityRef[] => [
  { entity: 'readState', id: channelId, scope: '' },
];

const readStateOf = (row: EntityRow | null, channelId: string): ReadState =>
  row && 'lastReadSeq' in row ? row : { id: channelId, lastReadSeq: 0, muted: false };

export const settingsMutators = {
  'read.mark': {
    touches: ({ args }) => readStateRef(args.channelId),
    apply({ args }, _ref, row) {
      const state = readStateOf(row, args.channelId);
      // Mirrors the server: the mark only moves forward.
      return { ...state, lastReadSeq: Math.max(state.lastReadSeq, args.seq) };
    },
  },
  'channel.mute': {
    touches: ({ args }) => readStateRef(args.channelId),
    apply: ({ args }, _ref, row) => ({ ...readStateOf(row, args.channelId), muted: args.muted }),
  },
  'settings.update': {
    // One row per user scope, under a fixed id (see `USER_SETTINGS_ID`).
    touches: () => [{ entity: 'userSettings', id: USER_SETTINGS_ID, scope: '' }],
    apply({ args }, _ref, row) {
      // Mirrors the server: the given keys over what is stored, over the defaults.
      const current = row && 'theme' in row ? row : withDefaults(null);
      return { ...current, ...args };
    },
  },
} satisfies Mutators<'read.mark' | 'channel.mute' | 'settings.update'>;
