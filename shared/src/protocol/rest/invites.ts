import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Invite codes: URL-safe, as the server makes them. */
export const inviteCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** `POST /api/invites`. Needs create invites. Both limits optional (none: forever, unlimited). */
export const createInviteBodySchema = Type.Object(
  {
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    expiresInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 43_200 })),
  },
  { additionalProperties: false },
);
export type CreateInviteBody = Static<typeof createInviteBodySchema>;

export const inviteSchema = Type.Object({
  code: Type.String(),
  createdBy: Uuid,
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  maxUses: Type.Union([Type.Number(), Type.Null()]),
  uses: Type.Number(),
  revoked: Type.Boolean(),
});
export type Invite = Static<typeof inviteSchema>;

/** `GET /api/invites`: all of them with manage community, else the caller's own. */
export const inviteListSchema = Type.Object({ invites: Type.Array(inviteSchema) });
export type InviteList = Static<typeof inviteListSchema>;

export const inviteParamsSchema = Type.Object({ code: inviteCode });

/** Why an invite cannot be used. */
export const inviteProblemSchema = Type.Union([
  Type.Literal('expired'),
  Type.Literal('used_up'),
  Type.Literal('revoked'),
]);
export type InviteProblem = Static<typeof inviteProblemSchema>;

/** Public `GET /api/invites/:code`: what the invite page shows before register or login. */
export const invitePreviewSchema = Type.Object({
  code: Type.String(),
  communityName: Type.String(),
  valid: Type.Boolean(),
  reason: Type.Union([inviteProblemSchema, Type.Null()]),
});
export type InvitePreview = Static<typeof invitePreviewSchema>;

/** The refusal message for each problem, the same on every route. */
export const inviteProblemMessage: Record<InviteProblem, string> = {
  expired: 'This invite has expired.',
  used_up: 'This invite has been used up.',
  revoked: 'This invite was revoked.',
};
