import { COMMUNITY_SCOPE } from '@echora/shared';
import type { Bus } from '../bus/types.ts';
import type { Db, Queryable } from '../db/types.ts';
import { ChangeSet, type MessageNotice } from './change-set.ts';

/** Where a node's committed changes go. */
export interface WriterDeps {
  db: Db;
  bus: Bus;
  /** This node's permission cache: it must not answer from data older than its own writes. */
  access: { invalidate(version: number): void; invalidateDms(version: number): void };
  log: (err: unknown, msg: string) => void;
}

/**
 * What every writer does around its transaction, built once per node (the
 * sync engine): socket mutations (the group commit), REST writes (emoji,
 * moderation, profiles) and registration all publish through {@link publish}.
 */
export class Writer {
  /**
   * Called on this node after each commit that wrote {@link MessageNotice}s,
   * once its changes are published; must not block (push notifications queue).
   */
  readonly committed = new Set<(notices: readonly MessageNotice[]) => void>();

  constructor(private readonly deps: WriterDeps) {}

  /**
   * Runs `write` in one transaction with a fresh change set; after COMMIT
   * (never before: a reader could see a version that then rolls back)
   * publishes what it appended. A failed write publishes nothing.
   */
  async commitAndPublish<T>(write: (tx: Queryable, changes: ChangeSet) => Promise<T>): Promise<T> {
    const changes = new ChangeSet();
    const result = await this.deps.db.transaction((tx) => write(tx, changes));
    await this.publish(changes);
    return result;
  }

  /**
   * After a transaction run elsewhere committed (a group commit's batch, a
   * registration): moves this node's permission cache past its community
   * and DM access writes, publishes (a lost publish only delays delivery: the next one
   * shows a gap, so it is logged, not thrown), then tells the listeners of
   * its notices.
   */
  async publish(changes: ChangeSet): Promise<void> {
    const community = changes.lastVersion(COMMUNITY_SCOPE);
    // This node must not answer the next request from a cache older than its own write.
    if (community !== undefined) this.deps.access.invalidate(community);
    if (changes.dmAccess !== undefined) this.deps.access.invalidateDms(changes.dmAccess);
    await changes
      .publish(this.deps.bus)
      .catch((err: unknown) => this.deps.log(err, 'publish failed'));
    if (changes.notices.length === 0) return;
    // Listeners only start their work (pushes): the answers do not wait for it.
    for (const listener of this.committed) {
      try {
        listener(changes.notices);
      } catch (err) {
        this.deps.log(err, 'commit listener failed');
      }
    }
  }
}
