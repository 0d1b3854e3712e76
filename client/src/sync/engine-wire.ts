import {
  mutationArgs,
  validator,
  type MutateUp,
  type MutationName,
  type Removal,
  type WireError,
} from '@echora/shared';
import type { SocketConstructor, Timing } from './connection.ts';
import type { ConnectionState, MutationOutcome } from '../lib/engine-port.ts';
import type { Replica } from './replica.ts';

/*
 * The engine's options and answers, and how it frames and checks mutations
 * before they go on the wire.
 */

// Declared once, in the port the UI codes against; the engine implements it.
export type { ConnectionState, MutationOutcome };

export interface SyncEngineOptions {
  replica: Replica;
  /** The ws(s) URL of `/api/sync`. */
  url: string;
  /** A fresh access token, or null when logged out. Called on every (re)connect. */
  getToken: () => Promise<string | null>;
  /** The WebSocket implementation (Node tests pass the `ws` package). */
  WebSocket?: SocketConstructor;
  /** The signed-in user, known before the first `ready` (authors offline sends). */
  userId?: string;
  timing?: Partial<Timing>;
}

/**
 * Ephemeral mutations stand outside the durable sequence; a seq no durable
 * entry will reach keeps their answers from being taken for a queued one's.
 */
export const EPHEMERAL_SEQ = 2_147_483_647;
/**
 * Mutations on the wire without an answer. The server queues a socket's frames
 * and closes one that floods it, so a long outbox drains in a window.
 */
export const MAX_IN_FLIGHT = 64;

/**
 * `MutateUp['name']` infers as `never` (a union built from an array of names),
 * so the frame is typed here once.
 */
export const mutateFrame = (seq: number, name: MutationName, args: unknown) =>
  ({ type: 'mutate', seq, name, args }) as unknown as MutateUp;

export const checkArgs = Object.fromEntries(
  Object.entries(mutationArgs).map(([name, schema]) => [name, validator(schema)]),
) as Record<MutationName, ReturnType<typeof validator>>;

/**
 * What a mutation queued for a channel that went before it could apply
 * answers (the channel was deleted, hidden from the user, or left).
 */
export const CHANNEL_GONE: WireError = {
  kind: 'not_found',
  message: 'The channel or conversation is no longer there.',
};

/** What every mutation of a kicked or banned user answers. */
export const removedOutcome = (removal: Removal): MutationOutcome => ({
  ok: false,
  error: { kind: 'forbidden', message: 'You are no longer a member.', removal },
});
