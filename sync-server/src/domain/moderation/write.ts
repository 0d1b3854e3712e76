import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../db/types.ts';
import type { ChangeSet } from '../../write/change-set.ts';
import type { Access } from '../permissions/access.ts';
import { lockedAccess } from '../permissions/guard.ts';

/** What a REST write that changes the community gets. */
export interface CommunityWrite {
  tx: Queryable;
  changes: ChangeSet;
  /** Read fresh inside the transaction, under the permission lock. */
  access: Access;
  now: Date;
}

/**
 * Runs `fn` in one transaction with fresh permission data, then (after
 * commit) moves this node's permission cache past the write and publishes
 * its changes, so sockets see them and lose what they may no longer see.
 */
export function communityWrite<T>(
  app: FastifyInstance,
  fn: (w: CommunityWrite) => Promise<T>,
): Promise<T> {
  return app.writer.commitAndPublish(async (tx, changes) =>
    fn({ tx, changes, access: await lockedAccess(tx), now: new Date() }),
  );
}
