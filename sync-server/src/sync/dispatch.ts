import {
  AppError,
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
import { pinMessage } from '../domain/pins/pin.ts';
import { toggleReaction } from '../domain/reactions/toggle.ts';
import { createThread } from '../domain/threads/create.ts';
import { markRead, muteChannel } from '../domain/read-state/mutations.ts';
import { auditMutation } from '../domain/audit/mutations.ts';
import { setMemberRoles } from '../domain/roles/member-roles.ts';
import { createRole, deleteRole, reorderRoles, updateRole } from '../domain/roles/mutations.ts';
import { setChannelOverride } from '../domain/roles/overrides.ts';
import type { Bus } from '../bus/types.ts';
import type { MutationContext, MutationResult } from './context.ts';
import { groupCommitFor, type GroupCommitOptions } from './group-commit.ts';
import type { KeyedLimiter } from './rate-limit.ts';

export type MutationAnswer = AckDown | RejectDown;

export interface DispatchDeps {
  db: Db;
  bus: Bus;
  access: AccessCache;
  sendLimiter: KeyedLimiter;
  /** Ephemeral mutations (typing) are handled by the caller, which knows the sessions. */
  ephemeral: (name: MutationName, args: unknown, userId: string) => Promise<WireError | undefined>;
  log: (err: unknown, msg: string) => void;
  /** Batching of durable mutations; see `group-commit.ts` for the defaults. */
  groupCommit?: Partial<GroupCommitOptions>;
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
  'thread.create': createThread,
  'reaction.toggle': toggleReaction,
  'message.pin': pinMessage,
  'read.mark': markRead,
  'channel.mute': muteChannel,
  'role.create': createRole,
  'role.update': updateRole,
  'role.delete': deleteRole,
  'role.reorder': reorderRoles,
  'member.roles': setMemberRoles,
  'channel.overrides': setChannelOverride,
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
    const error = await deps.ephemeral(name, frame.args, userId);
    return error ? reject(seq, error) : { type: 'ack', seq };
  }
  const run = (ctx: MutationContext, f: MutateUp) => runMutation(deps, ctx, f);
  return groupCommitFor(deps, run).submit(userId, clientId, frame);
}

/** One new mutation inside the batch's transaction: checked, rate limited, handled. */
async function runMutation(
  deps: DispatchDeps,
  ctx: MutationContext,
  frame: MutateUp,
): Promise<MutationResult> {
  const { name } = frame;
  const handler = handlers[name];
  if (!handler) throw new Error(`no handler for ${name}`);
  const args = parseArgs(name, frame.args);
  if (name === 'message.send') {
    const wait = deps.sendLimiter.take(ctx.userId);
    if (wait > 0) throw new AppError('rate_limited', 'Sending too fast; wait a moment.', wait);
  }
  const result = await handler(ctx, args as never);
  await auditMutation(ctx, name, args);
  return result;
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
