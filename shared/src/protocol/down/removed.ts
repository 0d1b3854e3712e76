import { Type, type Static } from 'typebox';

export const removalReasonSchema = Type.Union([Type.Literal('ban'), Type.Literal('kick')]);
/** Why a user is no longer a member: banned, or kicked (removed; an invite brings them back). */
export type RemovalReason = Static<typeof removalReasonSchema>;

/**
 * The user was kicked or banned: sent just before the socket closes with
 * `CloseCode.forbidden`, so the app can say why, forget what it held and
 * drop what it had queued. `community` is the community's name.
 */
export const removedDown = Type.Object({
  type: Type.Literal('removed'),
  reason: removalReasonSchema,
  community: Type.String(),
});
export type RemovedDown = Static<typeof removedDown>;
