import { newId, type PollVote } from '@echora/shared';
import type { EnginePort, LocalMessage, ReplicaPort } from '../lib/engine-port.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError } from './toasts.svelte.ts';
import type { PollDraft } from './poll-draft.ts';

export { draftProblems, pollClosed, POLL_DURATIONS, type PollDraft } from './poll-draft.ts';

/**
 * Polls: making one (the composer's dialog), voting (optimistic, queued
 * offline, exactly once through the engine's outbox) and closing early. My
 * own choices come from my user scope, so anonymous polls show them too.
 */
export class Polls {
  /** The channel the creation dialog is open for, if it is. */
  creatingIn: string | null = $state(null);
  #votes: LiveQuery<null, PollVote[]>;
  mine: ReadonlyMap<string, readonly number[]> = $derived(
    // Rebuilt whole with the rows, never mutated.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    new Map(this.#votesCurrent().map((v) => [v.id, v.optionIds])),
  );

  constructor(
    replica: Pick<ReplicaPort, 'pollVotes'>,
    private readonly engine: EnginePort,
  ) {
    this.#votes = new LiveQuery(
      () => null,
      () => replica.pollVotes.toArray(),
      [],
      (e) => handleError(e),
    );
  }

  #votesCurrent(): PollVote[] {
    return this.#votes.current;
  }

  /** My choice in the poll of `message` (empty: none). */
  choiceIn(message: LocalMessage): readonly number[] {
    return this.mine.get(message.id) ?? [];
  }

  /** Sets my whole choice (empty retracts). */
  vote(message: LocalMessage, optionIds: number[]): void {
    this.#run(this.engine.mutate('poll.vote', { pollId: message.id, optionIds }), 'Vote refused');
  }

  /** Picks or unpicks one option: a single-choice poll moves the vote, a multiple one adds or removes. */
  toggle(message: LocalMessage, optionId: number): void {
    const poll = message.poll;
    if (!poll) return;
    const current = this.choiceIn(message);
    const chosen = current.includes(optionId);
    if (!poll.multiple) this.vote(message, chosen ? [] : [optionId]);
    else {
      this.vote(
        message,
        chosen
          ? current.filter((o) => o !== optionId)
          : [...current, optionId].sort((a, b) => a - b),
      );
    }
  }

  close(message: LocalMessage): void {
    this.#run(this.engine.mutate('poll.close', { pollId: message.id }), 'Could not close the poll');
  }

  /** Posts the poll of `draft` in `channelId` (the draft must have no problems). */
  create(channelId: string, draft: PollDraft): void {
    this.#run(
      this.engine.mutate('poll.create', {
        id: newId(),
        channelId,
        question: draft.question.trim(),
        options: draft.options.map((o) => o.trim()),
        multiple: draft.multiple,
        anonymous: draft.anonymous,
        ...(draft.minutes === null ? {} : { durationMinutes: draft.minutes }),
      }),
      'Poll refused',
    );
  }

  #run(outcome: ReturnType<EnginePort['mutate']>, title: string): void {
    outcome.then(
      (r) => {
        if (!r.ok) handleError(r.error, title);
      },
      (e: unknown) => handleError(e),
    );
  }
}
