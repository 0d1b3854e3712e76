import { Type, type Static } from 'typebox';

export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });

export const channelKindSchema = Type.Union([Type.Literal('text'), Type.Literal('voice')]);
export type ChannelKind = Static<typeof channelKindSchema>;

/** A channel as replicated to clients (community scope). */
export const channelSchema = Type.Object({
  id: Uuid,
  kind: channelKindSchema,
  name: Type.String(),
  topic: Type.String(),
  position: Type.Number(),
  createdAt: Type.String(),
});
export type Channel = Static<typeof channelSchema>;

/** A message as replicated to clients (channel scope). */
export const messageSchema = Type.Object({
  id: Uuid,
  channelId: Uuid,
  authorId: Uuid,
  content: Type.String(),
  /** The channel version at which this message was created; orders and pages messages. */
  seq: Type.Number(),
  createdAt: Type.String(),
  editedAt: Type.Union([Type.String(), Type.Null()]),
});
export type Message = Static<typeof messageSchema>;

/** A member of the community as others see them (community scope). */
export const memberSchema = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  isOwner: Type.Boolean(),
  joinedAt: Type.String(),
});
export type Member = Static<typeof memberSchema>;

export const presenceStatusSchema = Type.Union([
  Type.Literal('online'),
  Type.Literal('idle'),
  Type.Literal('offline'),
]);
export type PresenceStatus = Static<typeof presenceStatusSchema>;
