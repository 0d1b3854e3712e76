import type { Queryable } from '../db/types.ts';
import type { Access } from '../domain/permissions/access.ts';
import type { ChangeSet } from './change-set.ts';

/** What a durable mutation handler gets: it writes through `tx` and records changes in `changes`. */
export interface MutationContext {
  tx: Queryable;
  /** The authenticated user: never an id the client sent. */
  userId: string;
  access: Access;
  changes: ChangeSet;
  now: Date;
}

/** What a handler reports for the ack: the scope and version it produced, if any. */
export interface MutationResult {
  scope?: string;
  version?: number;
}

/**
 * Thrown by a handler that found a row the permission cache does not know yet
 * (written a moment ago on another node): the dispatcher reloads and retries once.
 */
export class StaleAccessError extends Error {
  constructor() {
    super('permission cache is behind the database');
    this.name = 'StaleAccessError';
  }
}
