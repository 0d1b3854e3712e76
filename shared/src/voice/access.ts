import { Type, type Static } from 'typebox';
import { Uuid } from '../protocol/entities.ts';
import { voicePermsSchema } from './grant.ts';

/**
 * Why the sync server ended someone's voice session. The SFU closes the
 * socket with `ACCESS_REVOKED: <reason>`, so the client can say which.
 */
export const voiceRevokeReasonSchema = Type.Union([
  /** Banned from the community. */
  Type.Literal('banned'),
  /** No longer a member (kicked). */
  Type.Literal('kicked'),
  /** Timed out: no voice until the timeout ends. */
  Type.Literal('timed_out'),
  /** A role, override or channel change took view or connect away (or the channel is gone). */
  Type.Literal('no_access'),
]);
export type VoiceRevokeReason = Static<typeof voiceRevokeReasonSchema>;

/**
 * What the sync server posts to the SFU node holding a user when their rights
 * in a voice channel changed (`POST <control>/internal/access`, signed like
 * `/internal/moderate`): the permissions they have now, or `null` to end
 * their session. Idempotent: sending it twice changes nothing more.
 */
export const sfuAccessCommandSchema = Type.Object(
  {
    userId: Uuid,
    channelId: Uuid,
    /** What the user may do now; `null` ends their session here. */
    perms: Type.Union([voicePermsSchema, Type.Null()]),
    /** Why a session ends (with `perms: null`). */
    reason: Type.Optional(voiceRevokeReasonSchema),
    /**
     * Epoch ms (the sync server's clock) the decision was made at. The SFU
     * ignores a command older than the last one it applied for this user and
     * channel, and holds grants issued before it to it: a grant signed before
     * a ban cannot rejoin, one signed before a downgrade cannot raise perms.
     */
    at: Type.Number(),
  },
  { additionalProperties: false },
);
export type SfuAccessCommand = Static<typeof sfuAccessCommandSchema>;

/** Answer of `POST <control>/internal/access`: how many sessions it ended or changed. */
export const sfuAccessResultSchema = Type.Object({
  ended: Type.Number(),
  updated: Type.Number(),
});
export type SfuAccessResult = Static<typeof sfuAccessResultSchema>;

/** What one participant may do on an SFU node, as the node enforces it now (in its reports). */
export const voiceSessionPermsSchema = Type.Object({
  userId: Uuid,
  channelId: Uuid,
  perms: voicePermsSchema,
});
export type VoiceSessionPerms = Static<typeof voiceSessionPermsSchema>;
