import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { multiLineText } from '../text.ts';

/** A moderator's reason, shown in the audit log and the ban list (line breaks allowed). */
export const moderationReason = multiLineText({ maxLength: 512 });

/** Longest timeout: 28 days, in minutes. */
export const MAX_TIMEOUT_MINUTES = 40_320;
/** Furthest back a ban deletes the user's messages: 7 days, in hours. */
export const MAX_BAN_DELETE_HOURS = 168;

/** `POST /api/moderation/kick`. Needs kick members; the target must be below the actor. */
export const kickBodySchema = Type.Object(
  { userId: Uuid, reason: Type.Optional(moderationReason) },
  { additionalProperties: false },
);
export type KickBody = Static<typeof kickBodySchema>;

/** `POST /api/moderation/ban`. Needs ban members; the target must be below the actor. */
export const banBodySchema = Type.Object(
  {
    userId: Uuid,
    reason: Type.Optional(moderationReason),
    /** Delete the user's messages of the last N hours (tombstones). */
    deleteMessagesHours: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BAN_DELETE_HOURS })),
  },
  { additionalProperties: false },
);
export type BanBody = Static<typeof banBodySchema>;

/** `POST /api/moderation/timeout`. `minutes: 0` clears. Needs timeout members. */
export const timeoutBodySchema = Type.Object(
  {
    userId: Uuid,
    minutes: Type.Integer({ minimum: 0, maximum: MAX_TIMEOUT_MINUTES }),
    reason: Type.Optional(moderationReason),
  },
  { additionalProperties: false },
);
export type TimeoutBody = Static<typeof timeoutBodySchema>;

export const timeoutResponseSchema = Type.Object({
  timedOutUntil: Type.Union([Type.String(), Type.Null()]),
});
export type TimeoutResponse = Static<typeof timeoutResponseSchema>;

/** `:userId` of `DELETE /api/moderation/bans/:userId`. */
export const userIdParamsSchema = Type.Object({ userId: Uuid });

export const banSchema = Type.Object({
  userId: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  bannedBy: Type.Union([Uuid, Type.Null()]),
  bannedAt: Type.String(),
});
export type Ban = Static<typeof banSchema>;

/** `GET /api/moderation/bans`. Needs ban members. */
export const banListSchema = Type.Object({ bans: Type.Array(banSchema) });
export type BanList = Static<typeof banListSchema>;

export const auditTargetTypeSchema = Type.Union([
  Type.Literal('user'),
  Type.Literal('role'),
  Type.Literal('channel'),
  Type.Literal('invite'),
  Type.Literal('community'),
]);
export type AuditTargetType = Static<typeof auditTargetTypeSchema>;

/** One audit log entry: who did what to whom, why and when. */
export const auditEntrySchema = Type.Object({
  id: Type.Number(),
  actorId: Uuid,
  /** The actor's display name now (a kicked or banned one is no longer in members' replicas). */
  actorName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  action: Type.String(),
  targetType: Type.Union([auditTargetTypeSchema, Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  /** A target user's display name now; null for other targets or a user who is gone. */
  targetName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  reason: Type.Union([Type.String(), Type.Null()]),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  createdAt: Type.String(),
});
export type AuditEntry = Static<typeof auditEntrySchema>;

/** `GET /api/audit-log?before&limit`: newest first; `before` is an entry id. Needs view audit log. */
export const auditQuerySchema = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof auditQuerySchema>;

export const auditPageSchema = Type.Object({
  entries: Type.Array(auditEntrySchema),
  hasMore: Type.Boolean(),
});
export type AuditPage = Static<typeof auditPageSchema>;
