import type { MutateUp } from '@echora/shared';
import type { MutationAnswer } from './dispatch.ts';
import {
  GroupCommit,
  type GroupCommitDeps,
  type GroupCommitOptions,
  type PlanMutation,
  type RunMutation,
} from './group-commit.ts';

/** A mutation held back until its client's earlier ones are answered. */
interface Held {
  userId: string;
  frame: MutateUp;
  lane: GroupCommit;
  resolve: (answer: MutationAnswer) => void;
  reject: (err: unknown) => void;
}

/** One client's mutations on this node that are not answered yet. */
interface ClientOrder {
  /** The one lane holding every submitted, unanswered mutation of the client. */
  lane: GroupCommit | undefined;
  /** How many that lane holds. */
  submitted: number;
  /** Later mutations, in seq order, not yet given to a lane. */
  held: Held[];
}

/**
 * A node's group commit: several committers (lanes) on Postgres, each with
 * its own transaction and connection. The mutations of one channel always
 * share a lane, so a lane seldom waits for a version lock another holds (a
 * deadlock between lanes is retried like one between nodes). PGlite has one
 * connection: one lane.
 *
 * A client's mutations are checked against, and recorded after, its earlier
 * ones (`client_mutations`), so they must commit in seq order. A lane commits
 * its queue in order, one batch after another: a client's mutations may
 * queue in one lane together. Its mutation for another lane is held until
 * every earlier one is answered (committed), and so is every mutation after
 * it, whatever its lane: a lane never sees a seq before the ones it follows
 * have committed, and a failure fails every later held one.
 */
export class GroupCommitLanes {
  private readonly lanes: GroupCommit[];
  private readonly clients = new Map<string, ClientOrder>();

  constructor(
    deps: GroupCommitDeps,
    run: RunMutation,
    options: GroupCommitOptions,
    plan?: PlanMutation,
  ) {
    const count = deps.db.kind === 'pglite' ? 1 : Math.max(1, options.lanes);
    this.lanes = Array.from({ length: count }, () => new GroupCommit(deps, run, options, plan));
  }

  /** Applies `frame` exactly once (see {@link GroupCommit.submit}), after the client's earlier ones. */
  submit(userId: string, clientId: string, frame: MutateUp): Promise<MutationAnswer> {
    const lane = this.lanes[laneOf(frame, this.lanes.length)] as GroupCommit;
    let order = this.clients.get(clientId);
    if (!order) {
      order = { lane: undefined, submitted: 0, held: [] };
      this.clients.set(clientId, order);
    }
    if (order.held.length === 0 && (order.submitted === 0 || order.lane === lane)) {
      return this.toLane(clientId, order, lane, userId, frame);
    }
    const held = order.held;
    return new Promise((resolve, reject) => held.push({ userId, frame, lane, resolve, reject }));
  }

  private toLane(
    clientId: string,
    order: ClientOrder,
    lane: GroupCommit,
    userId: string,
    frame: MutateUp,
  ): Promise<MutationAnswer> {
    order.lane = lane;
    order.submitted++;
    const answer = lane.submit(userId, clientId, frame);
    answer.then(
      () => this.answered(clientId, order),
      (err: unknown) => this.answered(clientId, order, { err }),
    );
    return answer;
  }

  /** One submitted mutation was answered (or failed): the held ones go once none is left. */
  private answered(clientId: string, order: ClientOrder, failed?: { err: unknown }): void {
    order.submitted--;
    if (failed) for (const held of order.held.splice(0)) held.reject(failed.err);
    if (order.submitted > 0) return;
    const first = order.held[0];
    if (!first) {
      this.clients.delete(clientId);
      return;
    }
    // The held ones of the first one's lane go together, up to one for another lane.
    while (order.held[0]?.lane === first.lane) {
      const { userId, frame, lane, resolve, reject } = order.held.shift() as Held;
      this.toLane(clientId, order, lane, userId, frame).then(resolve, reject);
    }
  }
}

/** The lane of `lanes` a mutation runs in: one per channel (mutations without one share a lane). */
export function laneOf(frame: Pick<MutateUp, 'args'>, lanes: number): number {
  const args = frame.args;
  const key =
    typeof args === 'object' && args !== null && 'channelId' in args ? String(args.channelId) : '';
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % lanes;
}
