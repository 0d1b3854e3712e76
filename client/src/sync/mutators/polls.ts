import { channelScope, emptyMessageExtras, type Poll, type PollVote } from '@echora/shared';
import type { ApplyContext, EntityRef, LocalValues, Mutators, Step } from './types.ts';
import { PENDING_SORT_BASE, type EntityRow, type LocalMessage, type Replica } from '../replica.ts';

/*
 * The optimistic side of `poll.create`, `poll.vote` and `poll.close`
 * (`pollMutators`, in the registry).
 */

type PollMutation = 'poll.create' | 'poll.vote' | 'poll.close';

/** The poll message of a vote or close; its scope once the channel is known (`local`). */
function pollMessage(entry: Step<PollMutation>, id: string): EntityRef {
  const channelId = entry.local?.channelId;
  return { entity: 'message', id, scope: channelId === undefined ? '' : channelScope(channelId) };
}

/**
 * What `enqueue` records beside a vote or close: the poll's channel, and for
 * a vote the choice it replaces (an anonymous poll's counts do not say whose
 * vote is whose, so the step must know what to take back).
 */
export async function local(r: Replica, { pollId }: { pollId: string }): Promise<LocalValues> {
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
function newPollMessage(entry: Step<'poll.create'>, ctx: ApplyContext): LocalMessage {
  const a = entry.args;
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

/** A vote's effect on the poll message, or on the user's own choice (`pollVote`). */
function applyVote(
  step: Step<'poll.vote'>,
  ref: EntityRef,
  row: EntityRow | null,
  ctx: ApplyContext,
): EntityRow | null {
  const a = step.args;
  const after = [...a.optionIds].sort((x, y) => x - y);
  if (ref.entity === 'pollVote') {
    if (after.length === 0) return null;
    const channelId = step.local?.channelId ?? (row as PollVote | null)?.channelId ?? '';
    return { id: a.pollId, channelId, optionIds: after };
  }
  if (!row || !('poll' in row) || !row.poll) return row;
  // A named poll says who chose what; an anonymous one needs what was recorded at queue time.
  const before = row.poll.anonymous
    ? (step.local?.previous ?? [])
    : row.poll.options.filter((o) => o.voterIds?.includes(ctx.userId)).map((o) => o.id);
  return { ...row, poll: withChoice(row.poll, ctx.userId, before, after) };
}

export const pollMutators = {
  'poll.create': {
    touches: ({ args }) => [
      { entity: 'message', id: args.id, scope: channelScope(args.channelId) },
    ],
    // The server already has it (a resend after the change arrived): its row wins.
    apply: (step, _ref, row, ctx) => row ?? newPollMessage(step, ctx),
  },
  'poll.vote': {
    // The own choice lives in the user scope (scope '' as for read marks).
    touches: (step) => [
      pollMessage(step, step.args.pollId),
      { entity: 'pollVote', id: step.args.pollId, scope: '' },
    ],
    apply: applyVote,
    prepare: (r, args) => local(r, args),
  },
  'poll.close': {
    touches: (step) => [pollMessage(step, step.args.pollId)],
    apply(step, _ref, row) {
      if (!row || !('poll' in row) || !row.poll || row.poll.closedAt !== null) return row;
      return { ...row, poll: { ...row.poll, closedAt: step.createdAt } };
    },
    prepare: (r, args) => local(r, args),
  },
} satisfies Mutators<PollMutation>;
