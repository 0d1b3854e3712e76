import type { DurableMutationName, MutationArgs, MutationName } from '@echora/shared';
import { mutatorOf, type ApplyContext, type EntityRef, type Step } from './mutators/index.ts';
import type { EntityRow, OutboxEntry } from './replica.ts';

/*
 * The outbox's entry points to the mutators (`mutators/`): entries hold their
 * arguments as `unknown`, each mutation's own code lives in its mutator.
 */

export { entityKey, type ApplyContext, type EntityRef } from './mutators/index.ts';
export type { EntityRow } from './replica.ts';

type Entry = Pick<OutboxEntry, 'id' | 'name' | 'args' | 'createdAt' | 'local'>;

// Arguments were checked against the name's schema before the entry was queued.
const stepOf = (entry: Entry) => entry as Step<DurableMutationName>;

/**
 * The entities a mutation touches. Message edits and deletes name the message's
 * channel when known (`channelId`), since the scope decides where its change arrives.
 */
export function touches(entry: Entry): EntityRef[] {
  return mutatorOf(entry.name)?.touches(stepOf(entry)) ?? [];
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
  const mutator = mutatorOf(entry.name);
  return mutator ? mutator.apply(stepOf(entry), ref, row, ctx) : row;
}

/** A client-side check the server would also make, so obvious mistakes fail at once. */
export function localRule(name: MutationName, args: unknown): string | undefined {
  return mutatorOf(name)?.check?.(args as MutationArgs<DurableMutationName>);
}
