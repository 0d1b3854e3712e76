import { Type, type Static } from 'typebox';
import { wireErrorSchema } from './error.ts';

/** The mutation `seq` was applied (now or earlier: a replay gets the original answer). */
export const ackDown = Type.Object({
  type: Type.Literal('ack'),
  seq: Type.Integer(),
  /** The scope version the mutation produced, when it wrote to the feed. */
  scope: Type.Optional(Type.String()),
  version: Type.Optional(Type.Integer()),
});
export type AckDown = Static<typeof ackDown>;

/** The mutation `seq` was refused; the client rolls back its optimistic effect. */
export const rejectDown = Type.Object({
  type: Type.Literal('reject'),
  seq: Type.Integer(),
  error: wireErrorSchema,
});
export type RejectDown = Static<typeof rejectDown>;
