import {
  channelScope,
  emptyMessageExtras,
  type MutationArgs,
  type Poll,
  type PollVote,
} from '@echora/shared';
import type { ApplyContext, EntityRef, Mutators, Step } from './types.ts';
import {
  PENDING_SORT_BASE,
  type EntityRow,
  type LocalMessage,
  type OutboxEntry,
  type Replica,
} from '../replica.ts';

/*
 * The optimistic side of `poll.create`, `poll.vote` and `poll.close`
 * (`pollMutators`, in the registry).
 */

type PollMutation = 'poll.create' | 'poll.vote' | 'poll.close';
type Entry = Step<PollMutation> | Pick<OutboxEntry, 'id' | 'name' | 'args' | 'createdAt' | 'local'>;
const argsOf = <N extends PollMutation>(_name: N, entry: Entry) => entry.args as MutationArgs<N>;

/** The poll message of a vote or close; its scope once the channel is known (`local`). */
function pollMessage(entry: Entry, id: string): EntityRef {
  const channelId = entry.local?.channelId;
  return { entity: 'message', id, scope: channelId === undefined ? '' : channelScope(channelId) };
}

/** What a poll mutation touches: the poll's message, and for a vote the user's own choice. */
export function touches(entry: Entry): EntityRef[] {
  switch (entry.name) {
    case 'poll.create': {
      const a = argsOf('poll.create', entry);
      return [{ entity: 'message', id: a.id, scope: channelScope(a.channelId) }];
    }
    case 'poll.vote': {
      const { pollId } = argsOf('poll.vote', entry);
      // The own choice lives in the user scope (scope '' as for read marks).
      return [pollMessage(entry, pollId), { entity: 'pollVote', id: pollId, scope: '' }];
    }
    case 'poll.close':
      return [pollMessage(entry, argsOf('poll.close', entry).pollId)];
    default:
      return [];
  }
}

/**
 * What `enqueue` records beside a vote or close: the poll's channel, and for
 * a vote the choice it replaces (an anonymous poll's counts do not say whose
 * vote is whose, so the step must know what to take back).
 */
export async function local(
  r: Replica,
  { pollId }: { pollId: string },
): Promise<NonNullable<Entry['local']>> {
  const held = (await r.messages.get(pollId)) ?? (await r.shadows.get(`message:${pollId}`))?.row;
  const channelId = held && 'channelId' in held ? held.channelId : undefined;
  const previous = (await r.pollVotes.get(pollId))?.optionIds ?? [];
  return { ...(channelId === undefined ? {} : { channelId }), previous };
}

/** The poll as it shows with the user's choice moved from `before` to `after`. */
export function withChoice(poll: Poll, userId: string, before: number[], after: number[]): Poll {
  const was = new Set(before);
  const now = new Set(after);
  return {
    ...poll,
    voters: poll.voters + (now.size > 0 ? 1 : 0) - (was.size > 0 ? 1 : 0),
    options: poll.options.map((o) => {
      const delta = (now.has(o.id) ? 1 : 0) - (was.has(o.id) ? 1 : 0);
      const voterIds = o.voterIds?.filter((v) => v !== userId);
      if (voterIds && now.has(o.id)) voterIds.push(userId);
      return {
        ...o,
        votes: Math.max(0, o.votes + delta),
        ...(voterIds ? { voterIds } : {}),
      };
    }),
  };
}

/** The new poll message as it shows before the server answers. */
function newPollMessage(entry: Entry, ctx: ApplyContext): LocalMessage {
  const a = argsOf('poll.create', entry);
  const created = new Date(entry.createdAt);
  const question = a.question.trim();
  return {
    id: a.id,
    channelId: a.channelId,
    authorId: ctx.userId,
    content: question,
    seq: 0,
    createdAt: entry.createdAt,
    editedAt: null,
    ...emptyMessageExtras(),
    poll: {
      question,
      options: a.options.map((text, id) => ({
        id,
        text: text.trim(),
        votes: 0,
        ...(a.anonymous ? {} : { voterIds: [] }),
      })),
      multiple: a.multiple,
      anonymous: a.anonymous,
      endsAt:
        a.durationMinutes === undefined
          ? null
          : new Date(created.getTime() + a.durationMinutes * 60_000).toISOString(),
      closedAt: null,
      voters: 0,
    },
    status: 'pending',
    sortKey: PENDING_SORT_BASE + (entry.id ?? 0),
  };
}

/** Applies one poll mutation to one entity's row (pure, like `applyMutation`). */
export function apply(
  entry: Entry,
  ref: EntityRef,
  row: EntityRow | null,
  ctx: ApplyContext,
): EntityRow | null {
  switch (entry.name) {
    case 'poll.create':
      // The server already has it (a resend after the change arrived): its row wins.
      return row ?? newPollMessage(entry, ctx);
    case 'poll.vote': {
      const a = argsOf('poll.vote', entry);
      const after = [...a.optionIds].sort((x, y) => x - y);
      if (ref.entity === 'pollVote') {
        if (after.length === 0) return null;
        const channelId = entry.local?.channelId ?? (row as PollVote | null)?.channelId ?? '';
        return { id: a.pollId, channelId, optionIds: after };
      }
      if (!row || !('poll' in row) || !row.poll) return row;
      // A named poll says who chose what; an anonymous one needs what was recorded at queue time.
      const before = row.poll.anonymous
        ? (entry.local?.previous ?? [])
        : row.poll.options.filter((o) => o.voterIds?.includes(ctx.userId)).map((o) => o.id);
      return { ...row, poll: withChoice(row.poll, ctx.userId, before, after) };
    }
    case 'poll.close': {
      if (!row || !('poll' in row) || !row.poll || row.poll.closedAt !== null) return row;
      return { ...row, poll: { ...row.poll, closedAt: entry.createdAt } };
    }
    default:
      return row;
  }
}

export const pollMutators = {
  'poll.create': {
    touches: (step) => touches(step),
    apply: (step, ref, row, ctx) => apply(step, ref, row, ctx),
  },
  'poll.vote': {
    touches: (step) => touches(step),
    apply: (step, ref, row, ctx) => apply(step, ref, row, ctx),
    prepare: (r, args) => local(r, args),
  },
  'poll.close': {
    touches: (step) => touches(step),
    apply: (step, ref, row, ctx) => apply(step, ref, row, ctx),
    prepare: (r, args) => local(r, args),
  },
} satisfies Mutators<PollMutation>;
