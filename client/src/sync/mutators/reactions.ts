import { setReaction } from '@echora/shared';
import { messageChannel, messageRef } from './messages.ts';
import type { Mutators } from './types.ts';

export const reactionMutators = {
  'reaction.toggle': {
    touches: ({ args, local }) => messageRef(args.messageId, local),
    apply({ args }, _ref, row, ctx) {
      if (!row || !('reactions' in row)) return row;
      const reactions = setReaction(row.reactions, args.emoji, ctx.userId, args.on);
      return reactions ? { ...row, reactions } : row;
    },
    prepare: (r, args) => messageChannel(r, args.messageId),
  },
} satisfies Mutators<'reaction.toggle'>;
