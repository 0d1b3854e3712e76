import { AppError, type AckDown, type MutateUp, type WireError } from '@echora/shared';
import type { Db, Queryable } from '../db/types.ts';
import type { Access, AccessCache } from '../domain/permissions/access.ts';
import { ChangeSet } from '../write/change-set.ts';
import { StaleAccessError, type MutationContext, type MutationResult } from '../write/context.ts';
import { SetWriteConflict, type SetWriter, type SetWritten } from '../write/set-write.ts';
import type { MutationAnswer } from './dispatch.ts';
import { isTransientDbError, isUniqueViolation, isUnstorableText } from '../db/errors.ts';
import { settled } from '../db/pipeline.ts';
import { batchSeconds, batchSize } from '../metrics/registry.ts';
import { owed, record, recorded, reject, type ClientState } from './mutation-records.ts';

/** How mutations are grouped into one transaction. */
export interface GroupCommitOptions {
  /** Mutations per transaction at most. */
  maxBatch: number;
  /**
   * Of those, how many may run alone, each in a SAVEPOINT (a subtransaction):
   * Postgres caches 64 per transaction. One a set writer may plan (see
   * {@link PlanMutation.joins}) counts none: a set run takes one savepoint.
   */
  maxAlone: number;
  /**
   * How long the first mutation of an idle node waits for company. 0: none;
   * under load, mutations queue behind the running batch and form the next one anyway.
   */
  windowMs: number;
  /** Batches in flight at once on Postgres (see `lanes.ts`); PGlite runs one. */
  lanes: number;
}

export const defaultGroupCommit: GroupCommitOptions = {
  maxBatch: 100,
  maxAlone: 50,
  windowMs: 0,
  lanes: 4,
};

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

/** A mutation judged in memory for a set write (its rate token taken). */
export interface Planned {
  writer: SetWriter<never, unknown>;
  plan: unknown;
  /** Its handler alone, when the set write fails (the token is not taken again). */
  alone: (ctx: MutationContext) => Promise<MutationResult>;
}

/** Plans a frame for a set write, or undefined: it runs through {@link RunMutation}. */
export interface PlanMutation {
  (access: Access, userId: string, frame: MutateUp, now: Date): Planned | undefined;
  /** Whether a set writer may plan `frame` (judged by its name alone, before the batch forms). */
  joins?: (frame: MutateUp) => boolean;
}

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

/** A planned item waiting in the batch's current set run. */
interface Pending {
  index: number;
  item: Item;
  planned: Planned;
}

/** Deadlocks between nodes' batches, and a record another node wrote first: run the batch again. */
const RETRIES = 3;
const isRetryable = (err: unknown): boolean =>
  isUniqueViolation(err) ||
  (typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    ['40001', '40P01'].includes(String(err.code)));

/** A set write failed on something that fails the whole batch anyway (retried or dropped). */
const failsBatch = (err: unknown): boolean =>
  isTransientDbError(err) || (isRetryable(err) && !isUniqueViolation(err));

/**
 * Group commit: durable mutations from every client queue here and run in
 * batches, one transaction (one WAL flush) per batch. Mutations a set writer
 * plans in memory (plain message sends) are written together, one statement
 * per table for each run of them; if that fails, the run is rolled back and
 * its handlers run one by one. Every other mutation runs its own handler
 * inside a SAVEPOINT, so a refusal rolls back only its writes and is recorded
 * in the same transaction. Items keep their queue order either way. Replays are answered from the records
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
    /** Without one, every mutation runs its handler alone (the per-mutation path). */
    private readonly planMutation?: PlanMutation,
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
    const batch = this.take();
    try {
      await this.commit(batch);
    } catch (err) {
      this.fail(batch, err);
    } finally {
      this.running = false;
      // Whatever queued meanwhile has waited long enough.
      this.schedule(0);
    }
  }

  /** The next batch: the queue's first mutations, up to maxBatch, and up to maxAlone of them no set writer takes. */
  private take(): Item[] {
    const { maxBatch, maxAlone } = this.options;
    let alone = 0;
    let n = 0;
    for (; n < this.queue.length && n < maxBatch; n++) {
      if (this.planMutation?.joins?.((this.queue[n] as Item).frame)) continue;
      if (alone >= maxAlone && n > 0) break;
      alone++;
    }
    return this.queue.splice(0, n);
  }

  /**
   * Fails `items`, and the mutations their clients queued behind them: those
   * must not run without them (the client would see a seq gap). Its socket is
   * closed on a failure; the client sends them all again.
   */
  private fail(items: readonly Item[], err: unknown): void {
    for (const item of items) item.reject(err);
    const failed = new Set(items.map((item) => item.clientId));
    const kept = this.queue.filter((item) => !failed.has(item.clientId));
    for (const item of this.queue) if (failed.has(item.clientId)) item.reject(err);
    this.queue.splice(0, this.queue.length, ...kept);
  }

  private async commit(batch: Item[]): Promise<void> {
    const access = await this.deps.access.get();
    let outcomes: Outcome[] | undefined;
    batchSize.observe(batch.length);
    const timer = batchSeconds.startTimer();
    for (let attempt = 1; !outcomes; attempt++) {
      try {
        // Pipelined: statements that do not wait for each other's answers share a round trip.
        outcomes = await this.deps.db.transaction((tx) => this.applyAll(tx, batch, access), {
          pipeline: true,
        });
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
        this.fail(later, err);
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

  /** The batch's transaction: set runs and lone items in queue order, then every answer recorded at once. */
  private async applyAll(tx: Queryable, batch: Item[], access: Access): Promise<Outcome[]> {
    const states = await recorded(tx, batch);
    const waiting = new Set<string>();
    const outcomes: Outcome[] = [];
    let run: Pending[] = [];
    const writeRun = async () => {
      if (run.length > 0) await this.writeRun(tx, run, access, outcomes, states);
      run = [];
    };
    for (const [i, item] of batch.entries()) {
      const { clientId, frame } = item;
      // A client's later mutations never pass one of its own that must run again.
      if (waiting.has(clientId)) {
        outcomes[i] = 'later';
        continue;
      }
      const state = states.get(clientId) ?? { max: 0, results: new Map() };
      states.set(clientId, state);
      // A duplicate of a mutation in the run is owed that one's answer: write the run first.
      if (run.some((p) => p.item.clientId === clientId && p.item.frame.seq === frame.seq)) {
        await writeRun();
      }
      const prior = owed(state, frame.seq);
      if (prior) {
        outcomes[i] = { answer: prior, record: false };
        continue;
      }
      const planned = this.planMutation?.(access, item.userId, frame, new Date());
      if (planned) {
        if (run[0] && run[0].planned.writer !== planned.writer) await writeRun();
        run.push({ index: i, item, planned });
        // Its answer comes with the run; a later seq of this client follows it.
        state.max = frame.seq;
        continue;
      }
      await writeRun();
      const outcome = await this.applyOne(tx, item, access, `m${i}`, (ctx) => this.run(ctx, frame));
      if (outcome === 'later') waiting.add(clientId);
      else {
        state.results.set(frame.seq, outcome.answer);
        state.max = frame.seq;
      }
      outcomes[i] = outcome;
    }
    await writeRun();
    await record(
      tx,
      batch,
      outcomes.map((o) => (o !== 'later' && o.record ? o.answer : undefined)),
    );
    return outcomes;
  }

  /**
   * One run of planned items in one set write, in its own savepoint. If the
   * write fails (an id taken, a channel gone), the run is rolled back and each
   * item runs its handler alone, so only the bad one is refused.
   */
  private async writeRun(
    tx: Queryable,
    run: readonly Pending[],
    access: Access,
    outcomes: Outcome[],
    states: Map<string, ClientState>,
  ): Promise<void> {
    const [first] = run;
    if (!first) return;
    const savepoint = `s${first.index}`;
    let written: SetWritten[] | undefined;
    try {
      // The set write goes out behind the savepoint without waiting for it.
      [, written] = await settled(
        tx.query(`SAVEPOINT ${savepoint}`),
        first.planned.writer.write(
          tx,
          access,
          run.map((p) => p.planned.plan as never),
        ),
      );
    } catch (err) {
      if (failsBatch(err)) throw err;
      if (!(err instanceof SetWriteConflict) && !isUniqueViolation(err)) {
        this.deps.log(err, 'set write failed');
      }
      await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    }
    for (const [k, { index, item, planned }] of run.entries()) {
      const done = written?.[k];
      let outcome: Outcome;
      if (done) {
        const ack: AckDown = { type: 'ack', seq: item.frame.seq, ...done.result };
        outcome = { answer: ack, changes: done.changes, record: true };
      } else {
        // Planned from the cache: a stale cache is not a reason to wait here.
        item.reloaded = true;
        outcome = await this.applyOne(tx, item, access, `m${index}`, planned.alone);
      }
      outcomes[index] = outcome;
      if (outcome !== 'later')
        states.get(item.clientId)?.results.set(item.frame.seq, outcome.answer);
    }
  }

  private async applyOne(
    tx: Queryable,
    item: Item,
    access: Access,
    savepoint: string,
    run: (ctx: MutationContext) => Promise<MutationResult>,
  ): Promise<Outcome> {
    const { seq } = item.frame;
    const changes = new ChangeSet();
    try {
      const ctx: MutationContext = { tx, userId: item.userId, access, changes, now: new Date() };
      // The handler's first statement goes out behind the savepoint without waiting for it.
      const [, result] = await settled(tx.query(`SAVEPOINT ${savepoint}`), run(ctx));
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
