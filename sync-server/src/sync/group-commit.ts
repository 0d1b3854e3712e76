import {
  AppError,
  type AckDown,
  type MutateUp,
  type RejectDown,
  type WireError,
} from '@echora/shared';
import type { Db, Queryable } from '../db/types.ts';
import type { Access, AccessCache } from '../domain/permissions/access.ts';
import { ChangeSet } from '../write/change-set.ts';
import { StaleAccessError, type MutationContext, type MutationResult } from '../write/context.ts';
import type { MutationAnswer } from './dispatch.ts';
import { isTransientDbError, isUniqueViolation, isUnstorableText } from '../db/errors.ts';
import { batchSeconds, batchSize } from '../metrics/registry.ts';

/** How mutations are grouped into one transaction. */
export interface GroupCommitOptions {
  /** Mutations per transaction at most. Postgres caches 64 subtransactions per transaction. */
  maxBatch: number;
  /**
   * How long the first mutation of an idle node waits for company. 0: none;
   * under load, mutations queue behind the running batch and form the next one anyway.
   */
  windowMs: number;
  /** Batches in flight at once on Postgres (see {@link GroupCommitLanes}); PGlite runs one. */
  lanes: number;
}

export const defaultGroupCommit: GroupCommitOptions = { maxBatch: 50, windowMs: 0, lanes: 4 };

/** What a committer uses: nothing of the sockets. */
export interface GroupCommitDeps {
  db: Db;
  /** Read once per batch; reloaded when a handler finds a row it does not know yet. */
  access: Pick<AccessCache, 'get' | 'reload'>;
  /** After COMMIT, batch after batch in order: the cache, the bus, the listeners (`Writer.publish`). */
  publish: (changes: ChangeSet) => Promise<void>;
  log: (err: unknown, msg: string) => void;
}

/** Runs one mutation's handler (parse, rate limit, write) inside the batch's transaction. */
export type RunMutation = (ctx: MutationContext, frame: MutateUp) => Promise<MutationResult>;

interface Item {
  userId: string;
  clientId: string;
  frame: MutateUp;
  /** Set once the item was retried after a permission-cache reload. */
  reloaded: boolean;
  resolve: (answer: MutationAnswer) => void;
  reject: (err: unknown) => void;
}

/** What one item came to: an answer (with its changes when it wrote), or "run again later". */
type Outcome = { answer: MutationAnswer; changes?: ChangeSet; record: boolean } | 'later';

/** The recorded history of one client, as far as this batch needs it. */
interface ClientState {
  max: number;
  results: Map<number, MutationAnswer>;
}

/** Deadlocks between nodes' batches, and a record another node wrote first: run the batch again. */
const RETRIES = 3;
const isRetryable = (err: unknown): boolean =>
  isUniqueViolation(err) ||
  (typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    ['40001', '40P01'].includes(String(err.code)));

const reject = (seq: number, error: WireError): RejectDown => ({ type: 'reject', seq, error });

/**
 * Group commit: durable mutations from every client queue here and run in
 * batches, one transaction (one WAL flush) per batch. Each mutation runs its
 * own handler inside a SAVEPOINT, so a refusal rolls back only its writes and
 * is recorded in the same transaction. Replays are answered from the records
 * read once per batch (and from earlier items of the same batch). Changes are
 * published after COMMIT, batch after batch, in order.
 *
 * One batch runs at a time per committer: while it does, the next one
 * gathers. On PGlite (one connection) this is also what keeps it from
 * deadlocking.
 */
export class GroupCommit {
  private readonly queue: Item[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Publishing of committed batches, chained so scopes see versions in order. */
  private published: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: GroupCommitDeps,
    private readonly run: RunMutation,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Applies `frame` exactly once and resolves with its answer once its changes are published. */
  submit(userId: string, clientId: string, frame: MutateUp): Promise<MutationAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ userId, clientId, frame, reloaded: false, resolve, reject });
      this.schedule(this.options.windowMs);
    });
  }

  private schedule(delayMs: number): void {
    if (this.running || this.timer || this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxBatch;
    // setImmediate lets frames read in the same I/O turn join the batch.
    const start = () => {
      this.timer = undefined;
      void this.flush();
    };
    this.timer =
      delayMs > 0 && !full
        ? setTimeout(start, delayMs)
        : (setImmediate(start) as unknown as NodeJS.Timeout);
  }

  private async flush(): Promise<void> {
    this.running = true;
    const batch = this.queue.splice(0, this.options.maxBatch);
    try {
      await this.commit(batch);
    } catch (err) {
      for (const item of batch) item.reject(err);
    } finally {
      this.running = false;
      // Whatever queued meanwhile has waited long enough.
      this.schedule(0);
    }
  }

  private async commit(batch: Item[]): Promise<void> {
    const access = await this.deps.access.get();
    let outcomes: Outcome[] | undefined;
    batchSize.observe(batch.length);
    const timer = batchSeconds.startTimer();
    for (let attempt = 1; !outcomes; attempt++) {
      try {
        outcomes = await this.deps.db.transaction((tx) => this.applyAll(tx, batch, access));
      } catch (err) {
        // Anything else (the database gone): the callers drop their clients, who resend.
        if (!isRetryable(err) || attempt >= RETRIES) throw err;
      }
    }
    timer();
    const later = batch.filter((_, i) => outcomes[i] === 'later');
    if (later.length > 0) {
      // A handler found a row the cache does not know: reload, then run those again, first.
      for (const item of later) item.reloaded = true;
      try {
        await this.deps.access.reload();
        this.queue.unshift(...later);
      } catch (err) {
        for (const item of later) item.reject(err);
      }
    }
    const done = batch.flatMap((item, i) => {
      const outcome = outcomes[i];
      return outcome && outcome !== 'later' ? [{ item, outcome }] : [];
    });
    // Versions of a scope are contiguous within the transaction: one frame per scope.
    const changes = new ChangeSet();
    for (const { outcome } of done) if (outcome.changes) changes.absorb(outcome.changes);
    this.published = this.published.then(async () => {
      await this.deps.publish(changes);
      for (const { item, outcome } of done) item.resolve(outcome.answer);
    });
  }

  /** The batch's transaction: each item in its savepoint, then every answer recorded at once. */
  private async applyAll(tx: Queryable, batch: Item[], access: Access): Promise<Outcome[]> {
    const states = await recorded(tx, batch);
    const waiting = new Set<string>();
    const outcomes: Outcome[] = [];
    for (const [i, item] of batch.entries()) {
      const { clientId, frame } = item;
      // A client's later mutations never pass one of its own that must run again.
      if (waiting.has(clientId)) {
        outcomes.push('later');
        continue;
      }
      const state = states.get(clientId) ?? { max: 0, results: new Map() };
      states.set(clientId, state);
      const prior = owed(state, frame.seq);
      if (prior) {
        outcomes.push({ answer: prior, record: false });
        continue;
      }
      const outcome = await this.applyOne(tx, item, access, `m${i}`);
      if (outcome === 'later') waiting.add(clientId);
      else {
        state.results.set(frame.seq, outcome.answer);
        state.max = frame.seq;
      }
      outcomes.push(outcome);
    }
    await record(tx, batch, outcomes);
    return outcomes;
  }

  private async applyOne(
    tx: Queryable,
    item: Item,
    access: Access,
    savepoint: string,
  ): Promise<Outcome> {
    const { seq } = item.frame;
    await tx.query(`SAVEPOINT ${savepoint}`);
    const changes = new ChangeSet();
    try {
      const ctx: MutationContext = { tx, userId: item.userId, access, changes, now: new Date() };
      const result = await this.run(ctx, item.frame);
      const ack: AckDown = { type: 'ack', seq, ...result };
      return { answer: ack, changes, record: true };
    } catch (err) {
      // Undoes this item's writes and clears an aborted statement; if the
      // connection is gone this throws and the whole batch fails.
      await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      if (err instanceof StaleAccessError && !item.reloaded) return 'later';
      return { answer: reject(seq, this.refusal(err)), record: true };
    }
  }

  /**
   * The refusal a failure stands for. Text the database cannot store is the
   * client's mistake (`invalid`, nothing logged). A bug is refused as
   * `internal` (details logged, not sent). A transient database failure is not a refusal: it
   * fails the batch, whose clients are dropped and resend.
   */
  private refusal(err: unknown): WireError {
    if (err instanceof AppError) return err.toWire();
    if (err instanceof StaleAccessError) return { kind: 'not_found', message: 'No such channel.' };
    if (isUniqueViolation(err)) return { kind: 'conflict', message: 'That id is already taken.' };
    if (isUnstorableText(err)) {
      return { kind: 'invalid', message: 'A text field holds a character that cannot be stored.' };
    }
    if (isTransientDbError(err)) throw err;
    this.deps.log(err, 'mutation failed');
    return { kind: 'internal', message: 'The server failed to apply this change.' };
  }
}

/**
 * The answer already owed for `seq`, if any: the recorded one, an ack for an
 * old seq with no record (pruned), or a `protocol` refusal for a gap.
 */
function owed(state: ClientState, seq: number): MutationAnswer | undefined {
  const result = state.results.get(seq);
  if (result) return result;
  const expected = state.max + 1;
  if (seq < expected) return { type: 'ack', seq };
  if (seq > expected) {
    return reject(seq, { kind: 'protocol', message: `seq: expected ${expected}, got ${seq}` });
  }
  return undefined;
}

/** One query for every client of the batch: its highest recorded seq and the records asked for. */
async function recorded(tx: Queryable, batch: readonly Item[]): Promise<Map<string, ClientState>> {
  const { rows } = await tx.query<{
    client_id: string;
    seq: number;
    max: number | null;
    result: MutationAnswer | null;
  }>(
    `SELECT q.client_id, q.seq,
            (SELECT max(m.seq) FROM client_mutations m WHERE m.client_id = q.client_id) AS max,
            (SELECT m.result FROM client_mutations m
              WHERE m.client_id = q.client_id AND m.seq = q.seq) AS result
     FROM unnest($1::uuid[], $2::bigint[]) AS q(client_id, seq)`,
    [batch.map((i) => i.clientId), batch.map((i) => i.frame.seq)],
  );
  const states = new Map<string, ClientState>();
  for (const row of rows) {
    const state = states.get(row.client_id) ?? { max: Number(row.max ?? 0), results: new Map() };
    if (row.result) state.results.set(Number(row.seq), row.result);
    states.set(row.client_id, state);
  }
  return states;
}

/** Records every new answer of the batch in one statement, so a replay gets the same one. */
async function record(tx: Queryable, batch: readonly Item[], outcomes: Outcome[]): Promise<void> {
  const rows = batch.flatMap((item, i) => {
    const outcome = outcomes[i];
    return outcome && outcome !== 'later' && outcome.record
      ? [{ item, answer: outcome.answer }]
      : [];
  });
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO client_mutations (client_id, seq, user_id, result)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::jsonb[])`,
    [
      rows.map((r) => r.item.clientId),
      rows.map((r) => r.answer.seq),
      rows.map((r) => r.item.userId),
      rows.map((r) => JSON.stringify(r.answer)),
    ],
  );
}

/**
 * A node's group commit: several committers (lanes) on Postgres, each with
 * its own transaction and connection. The mutations of one channel always
 * share a lane, so a lane seldom waits for a version lock another holds (a
 * deadlock between lanes is retried like one between nodes). PGlite has one
 * connection: one lane.
 */
export class GroupCommitLanes {
  private readonly lanes: GroupCommit[];

  constructor(deps: GroupCommitDeps, run: RunMutation, options: GroupCommitOptions) {
    const count = deps.db.kind === 'pglite' ? 1 : Math.max(1, options.lanes);
    this.lanes = Array.from({ length: count }, () => new GroupCommit(deps, run, options));
  }

  submit(userId: string, clientId: string, frame: MutateUp): Promise<MutationAnswer> {
    return this.lane(frame).submit(userId, clientId, frame);
  }

  private lane(frame: MutateUp): GroupCommit {
    const args = frame.args;
    const key =
      typeof args === 'object' && args !== null && 'channelId' in args
        ? String(args.channelId)
        : '';
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    return this.lanes[hash % this.lanes.length] as GroupCommit;
  }
}
