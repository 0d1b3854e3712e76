import type { Queryable } from '../db/types.ts';
import type { Access } from '../domain/permissions/access.ts';
import type { ChangeSet } from './change-set.ts';
import type { MutationContext, MutationResult } from './context.ts';

/** What one mutation of a set write came to: its ack's scope and version, and its own changes. */
export interface SetWritten {
  result: MutationResult;
  changes: ChangeSet;
}

/**
 * Writes many mutations of one kind together: one statement per table for the
 * whole run instead of several round trips each (group commit's set path).
 * A plan is made in memory from the permission cache and must accept only
 * what its handler would certainly accept; anything else (refusals, what the
 * cache cannot decide) is left to the handler, one mutation at a time.
 */
export interface SetWriter<A, P> {
  /** In memory, nothing written: the plan for `args`, or undefined: run the handler alone. */
  plan(access: Access, userId: string, args: A, now: Date): P | undefined;
  /**
   * Writes every plan, in order, as their handlers would have one after
   * another. Throws when one cannot be written as planned (an id taken, a
   * channel deleted since the cache was read): the caller rolls back and runs
   * the handlers one by one, so only the bad one is refused.
   */
  write(tx: Queryable, access: Access, plans: readonly P[]): Promise<SetWritten[]>;
  /** The handler for one planned mutation (the fallback). */
  alone(ctx: MutationContext, plan: P): Promise<MutationResult>;
}

/** A set write found what its plans did not expect (a channel gone): run them one by one. */
export class SetWriteConflict extends Error {
  constructor(message: string) {
    super(`set write: ${message}`);
    this.name = 'SetWriteConflict';
  }
}
