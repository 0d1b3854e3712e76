import {
  AppError,
  COMMUNITY_SCOPE,
  ephemeralMutations,
  mutationArgs,
  validator,
  type AckDown,
  type Checked,
  type MutateUp,
  type MutationName,
  type RejectDown,
  type WireError,
} from '@echora/shared';
import type { Db, Queryable } from '../db/types.ts';
import type { AccessCache } from '../domain/permissions/access.ts';
import {
  createChannel,
  deleteChannel,
  renameChannel,
  reorderChannels,
} from '../domain/channels/mutations.ts';
import { deleteMessage, editMessage, sendMessage } from '../domain/messages/mutations.ts';
import type { Bus } from '../bus/types.ts';
import { ChangeSet } from './change-set.ts';
import { StaleAccessError, type MutationContext, type MutationResult } from './context.ts';
import type { KeyedLimiter } from './rate-limit.ts';
import { isTransientDbError, isUniqueViolation } from './values.ts';

export type MutationAnswer = AckDown | RejectDown;

export interface DispatchDeps {
  db: Db;
  bus: Bus;
  access: AccessCache;
  sendLimiter: KeyedLimiter;
  /** Ephemeral mutations (typing) are handled by the caller, which knows the sessions. */
  ephemeral: (name: MutationName, args: unknown, userId: string) => Promise<WireError | undefined>;
  log: (err: unknown, msg: string) => void;
}

type Handler = (ctx: MutationContext, args: never) => Promise<MutationResult>;

const handlers: Partial<Record<MutationName, Handler>> = {
  'channel.create': createChannel,
  'channel.rename': renameChannel,
  'channel.delete': deleteChannel,
  'channel.reorder': reorderChannels,
  'message.send': sendMessage,
  'message.edit': editMessage,
  'message.delete': deleteMessage,
};

const checkers = Object.fromEntries(
  Object.entries(mutationArgs).map(([name, schema]) => [name, validator(schema)]),
) as Record<MutationName, (value: unknown) => Checked<unknown>>;

const reject = (seq: number, error: WireError): RejectDown => ({ type: 'reject', seq, error });

/** The next seq a client should send: one past the last recorded. */
export async function nextSeq(db: Queryable, clientId: string): Promise<number> {
  const { rows } = await db.query<{ max: number | null }>(
    'SELECT max(seq) AS max FROM client_mutations WHERE client_id = $1',
    [clientId],
  );
  return Number(rows[0]?.max ?? 0) + 1;
}

/**
 * The answer already owed for (clientId, seq), if any: the recorded one, an
 * ack for an old seq with no record, or a `protocol` refusal for a gap.
 */
async function owed(
  tx: Queryable,
  clientId: string,
  seq: number,
): Promise<MutationAnswer | undefined> {
  const { rows } = await tx.query<{ max: number | null; result: MutationAnswer | null }>(
    `SELECT max(seq) AS max,
            (SELECT result FROM client_mutations WHERE client_id = $1 AND seq = $2) AS result
     FROM client_mutations WHERE client_id = $1`,
    [clientId, seq],
  );
  const row = rows[0];
  if (row?.result) return row.result;
  const expected = Number(row?.max ?? 0) + 1;
  if (seq < expected) return { type: 'ack', seq };
  if (seq > expected) {
    return reject(seq, { kind: 'protocol', message: `seq: expected ${expected}, got ${seq}` });
  }
  return undefined;
}

async function record(
  tx: Queryable,
  clientId: string,
  userId: string,
  answer: MutationAnswer,
): Promise<void> {
  await tx.query(
    'INSERT INTO client_mutations (client_id, seq, user_id, result) VALUES ($1, $2, $3, $4)',
    [clientId, answer.seq, userId, JSON.stringify(answer)],
  );
}

/**
 * Applies one `mutate` frame of (userId, clientId) exactly once: the write,
 * its feed entries and the record of the answer commit together, and a replay
 * gets the recorded answer. Refusals are recorded too, in their own transaction
 * since the write rolled back. Changes are published after commit.
 */
export async function dispatch(
  deps: DispatchDeps,
  userId: string,
  clientId: string,
  frame: MutateUp,
): Promise<MutationAnswer> {
  const { seq, name } = frame;
  if (ephemeralMutations.has(name)) {
    const error = await deps.ephemeral(name, frame.args, userId);
    return error ? reject(seq, error) : { type: 'ack', seq };
  }
  try {
    return await apply(deps, userId, clientId, frame);
  } catch (err) {
    if (err instanceof StaleAccessError) {
      await deps.access.reload();
      return apply(deps, userId, clientId, frame).catch((e: unknown) =>
        refuse(deps, userId, clientId, seq, e),
      );
    }
    return refuse(deps, userId, clientId, seq, err);
  }
}

async function apply(
  deps: DispatchDeps,
  userId: string,
  clientId: string,
  frame: MutateUp,
): Promise<MutationAnswer> {
  const { seq, name } = frame;
  const handler = handlers[name];
  if (!handler) throw new Error(`no handler for ${name}`);
  const access = await deps.access.get();
  const changes = new ChangeSet();
  const answer = await deps.db.transaction(async (tx) => {
    const prior = await owed(tx, clientId, seq);
    if (prior) return prior;
    const args = parseArgs(name, frame.args);
    if (name === 'message.send') {
      const wait = deps.sendLimiter.take(userId);
      if (wait > 0) throw new AppError('rate_limited', 'Sending too fast; wait a moment.', wait);
    }
    const ctx: MutationContext = { tx, userId, access, changes, now: new Date() };
    const result = await handler(ctx, args as never);
    const ack: AckDown = { type: 'ack', seq, ...result };
    await record(tx, clientId, userId, ack);
    return ack;
  });
  await afterCommit(deps, changes);
  return answer;
}

function parseArgs(name: MutationName, args: unknown): unknown {
  // A clearer answer than the schema's for the one limit users hit by hand.
  if (
    typeof args === 'object' &&
    args !== null &&
    'content' in args &&
    typeof args.content === 'string' &&
    args.content.length > 4000
  ) {
    throw new AppError(
      'too_large',
      `content: ${args.content.length} characters; a message holds at most 4000`,
    );
  }
  const checked = checkers[name](args);
  if (!checked.ok) throw new AppError(checked.error.kind, checked.error.message);
  return checked.value;
}

async function afterCommit(deps: DispatchDeps, changes: ChangeSet): Promise<void> {
  const community = changes.lastVersion(COMMUNITY_SCOPE);
  // This node must not answer the next mutation from a cache older than its own write.
  if (community !== undefined) deps.access.invalidate(community);
  await changes.publish(deps.bus).catch((err: unknown) => deps.log(err, 'publish failed'));
}

/**
 * Records a refusal so a replay gets the same answer. A bug is refused as
 * `internal` (details logged, not sent). A transient database failure is not
 * a refusal: it propagates, like a failure to record, and the caller drops
 * the connection, so the client resends later and nothing is lost.
 */
async function refuse(
  deps: DispatchDeps,
  userId: string,
  clientId: string,
  seq: number,
  err: unknown,
): Promise<MutationAnswer> {
  let error: WireError;
  if (err instanceof AppError) error = err.toWire();
  else if (err instanceof StaleAccessError)
    error = { kind: 'not_found', message: 'No such channel.' };
  else if (isUniqueViolation(err))
    error = { kind: 'conflict', message: 'That id is already taken.' };
  else if (isTransientDbError(err)) throw err;
  else {
    deps.log(err, 'mutation failed');
    error = { kind: 'internal', message: 'The server failed to apply this change.' };
  }
  const answer = reject(seq, error);
  return deps.db.transaction(async (tx) => {
    const prior = await owed(tx, clientId, seq);
    if (prior) return prior;
    await record(tx, clientId, userId, answer);
    return answer;
  });
}
