import {
  AppError,
  ephemeralMutations,
  mutationArgs,
  validator,
  type AckDown,
  type Checked,
  type DurableMutationName,
  type MutateUp,
  type MutationName,
  type RejectDown,
  type WireError,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../write/context.ts';
import type { SetWriter } from '../write/set-write.ts';
import type { Access } from '../domain/permissions/access.ts';
import { argumentRules, mutationHandlers, setWriters, type Handler } from '../domain/mutations.ts';
import { auditMutation } from '../domain/audit/mutations.ts';
import {
  defaultGroupCommit,
  type GroupCommitDeps,
  type GroupCommitOptions,
  type PlanMutation,
  type Planned,
  type RunMutation,
} from './group-commit.ts';
import { GroupCommitLanes } from './lanes.ts';
import { actionCost, RATE_LIMITED_MESSAGE } from './action-cost.ts';
import type { KeyedLimiter } from '../limits/token-bucket.ts';
import { mutations } from '../metrics/registry.ts';

export type MutationAnswer = AckDown | RejectDown;

/** What the engine builds a node's dispatch from. */
export interface DispatchParts extends GroupCommitDeps {
  /** One bucket per user for every durable mutation, typing and presence (see `action-cost.ts`). */
  mutationLimiter: KeyedLimiter;
  /** Ephemeral mutations (typing) are handled by the caller, which knows the sessions. */
  ephemeral: (name: MutationName, args: unknown, userId: string) => Promise<WireError | undefined>;
  /** Batching of durable mutations; see `group-commit.ts` for the defaults. */
  groupCommit?: Partial<GroupCommitOptions>;
}

export interface DispatchDeps extends DispatchParts {
  /** This node's group commit: one per dispatch, built with it. */
  committer: GroupCommitLanes;
}

/** A dispatch with its own group commit (the engine builds one per node). */
export function createDispatch(parts: DispatchParts): DispatchDeps {
  const { run, plan } = mutationRunners(parts.mutationLimiter);
  const options = { ...defaultGroupCommit, ...parts.groupCommit };
  return { ...parts, committer: new GroupCommitLanes(parts, run, options, plan) };
}

/** How a group commit runs mutations: each alone, and the planner of set writes. */
export function mutationRunners(limiter: KeyedLimiter): { run: RunMutation; plan: PlanMutation } {
  return {
    run: (ctx, frame) => runMutation(limiter, ctx, frame),
    plan: Object.assign(
      (access: Access, userId: string, frame: MutateUp, now: Date) =>
        planMutation(limiter, access, userId, frame, now),
      { joins: (frame: MutateUp) => frame.name in setWriters },
    ),
  };
}

const checkers = Object.fromEntries(
  Object.entries(mutationArgs).map(([name, schema]) => [name, validator(schema)]),
) as Record<MutationName, (value: unknown) => Checked<unknown>>;

const reject = (seq: number, error: WireError): RejectDown => ({ type: 'reject', seq, error });

/**
 * Applies one `mutate` frame of (userId, clientId) exactly once: the write,
 * its feed entries and the record of the answer commit together, and a replay
 * gets the recorded answer; refusals are recorded too. Durable mutations go
 * through the node's group commit (see `group-commit.ts`): many share one
 * transaction, each in its own savepoint. Changes are published after commit.
 */
export async function dispatch(
  deps: DispatchDeps,
  userId: string,
  clientId: string,
  frame: MutateUp,
): Promise<MutationAnswer> {
  const { seq, name } = frame;
  if (ephemeralMutations.has(name)) {
    const wait = deps.mutationLimiter.take(userId, actionCost(name));
    if (wait > 0)
      return reject(seq, new AppError('rate_limited', RATE_LIMITED_MESSAGE, wait).toWire());
    const error = await deps.ephemeral(name, frame.args, userId);
    return error ? reject(seq, error) : { type: 'ack', seq };
  }
  const answer = await deps.committer.submit(userId, clientId, frame);
  mutations.inc({ name, outcome: answer.type === 'ack' ? 'ack' : answer.error.kind });
  return answer;
}

/**
 * One new mutation inside the batch's transaction: rate limited, checked,
 * handled. The token is taken first: a refusal is recorded (a row) too, and a
 * replay never gets here, so it costs nothing.
 */
async function runMutation(
  limiter: KeyedLimiter,
  ctx: MutationContext,
  frame: MutateUp,
): Promise<MutationResult> {
  const { name } = frame;
  if (ephemeralMutations.has(name)) throw new Error(`${name} is not durable`);
  const durable = name as DurableMutationName;
  const wait = limiter.take(ctx.userId, actionCost(name));
  if (wait > 0) throw new AppError('rate_limited', RATE_LIMITED_MESSAGE, wait);
  argumentRules[durable]?.(frame.args);
  const args = parseArgs(name, frame.args);
  const handler = mutationHandlers[durable] as Handler<DurableMutationName>;
  const result = await handler(ctx, args as never);
  await auditMutation(ctx, name, args);
  return result;
}

/**
 * A durable mutation a set writer can write with others (see `write/set-write.ts`),
 * judged in memory: its rules, schema and the writer's plan pass, then its rate
 * token is taken. Anything else is left to {@link runMutation}, which refuses
 * it the same way (a refused token is not taken, so it is not taken twice).
 */
function planMutation(
  limiter: KeyedLimiter,
  access: Access,
  userId: string,
  frame: MutateUp,
  now: Date,
): Planned | undefined {
  const name = frame.name as DurableMutationName;
  const writer = setWriters[name] as SetWriter<unknown, unknown> | undefined;
  if (!writer) return undefined;
  try {
    argumentRules[name]?.(frame.args);
  } catch {
    return undefined;
  }
  const checked = checkers[name](frame.args);
  if (!checked.ok) return undefined;
  const args = checked.value;
  const plan = writer.plan(access, userId, args, now);
  if (plan === undefined) return undefined;
  if (limiter.take(userId, actionCost(name)) > 0) return undefined;
  return {
    writer,
    plan,
    alone: async (ctx) => {
      const result = await writer.alone(ctx, plan);
      await auditMutation(ctx, name, args);
      return result;
    },
  };
}

function parseArgs(name: MutationName, args: unknown): unknown {
  const checked = checkers[name](args);
  if (!checked.ok) throw new AppError(checked.error.kind, checked.error.message);
  return checked.value;
}
