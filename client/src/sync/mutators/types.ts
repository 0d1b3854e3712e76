import type { DurableMutationName, MutationArgs } from '@echora/shared';
import type { EntityKind, EntityRow, OutboxEntry, Replica } from '../replica.ts';

/** One entity a mutation changes, with the scope its server state lives in. */
export interface EntityRef {
  entity: EntityKind;
  id: string;
  scope: string;
}

/** The key of an entity in the shadow table. */
export const entityKey = (entity: EntityKind, id: string): string => `${entity}:${id}`;

/** Context for applying a mutation locally. */
export interface ApplyContext {
  userId: string;
}

/** Values the optimistic effect needs that the args do not carry (see `OutboxEntry.local`). */
export type LocalValues = NonNullable<OutboxEntry['local']>;

/** A queued mutation as a mutator sees it: its own name and arguments. */
export interface Step<N extends DurableMutationName> {
  id?: number | undefined;
  name: N;
  args: MutationArgs<N>;
  createdAt: string;
  local?: LocalValues | undefined;
}

/**
 * Everything the client knows about one durable mutation. `touches` and `apply`
 * are pure, so the view can be recomputed as server state plus whatever is
 * still pending, in order, any number of times.
 */
export interface Mutator<N extends DurableMutationName> {
  /** The entities the mutation changes. */
  touches(step: Step<N>): EntityRef[];
  /** The new row of one touched entity (null: absent) after the mutation. */
  apply(step: Step<N>, ref: EntityRef, row: EntityRow | null, ctx: ApplyContext): EntityRow | null;
  /**
   * Reads the replica, inside the enqueue transaction, for values the args do
   * not carry (a new channel's position, an edited message's channel).
   */
  prepare?(r: Replica, args: MutationArgs<N>, ctx: ApplyContext): Promise<LocalValues | undefined>;
  /** A check the server would also make, so obvious mistakes fail at once. */
  check?(args: MutationArgs<N>): string | undefined;
}

/** The mutators of a group of names, each typed for its own name. */
export type Mutators<Names extends DurableMutationName> = { [N in Names]: Mutator<N> };
