import { Type, type Static } from 'typebox';
import { presenceStatusSchema, Uuid } from '../entities.ts';

/** One user's presence changed (across all of their connections). */
export const presenceDown = Type.Object({
  type: Type.Literal('presence'),
  userId: Uuid,
  status: presenceStatusSchema,
});
export type PresenceDown = Static<typeof presenceDown>;

/** Everyone not offline, sent once after `ready`. */
export const presenceSnapshotDown = Type.Object({
  type: Type.Literal('presence.snapshot'),
  users: Type.Array(Type.Object({ userId: Uuid, status: presenceStatusSchema })),
});
export type PresenceSnapshotDown = Static<typeof presenceSnapshotDown>;
