import { Type, type Static } from 'typebox';
import { Limits } from '../limits.ts';
import { singleLineText } from '../text.ts';

export const registrationSchema = Type.Union([Type.Literal('open'), Type.Literal('invite')]);
export type Registration = Static<typeof registrationSchema>;

/** Public `GET /api/community`, and the answer of `PATCH`. */
export const communitySchema = Type.Object({
  name: Type.String(),
  registration: registrationSchema,
  /** Whether the server unfurls links of new messages into preview cards. */
  linkPreviews: Type.Boolean(),
});
export type Community = Static<typeof communitySchema>;

/** `PATCH /api/community`. Needs manage community. */
export const communityPatchSchema = Type.Object(
  {
    name: Type.Optional(singleLineText({ minLength: 1, maxLength: Limits.channelNameLength })),
    registration: Type.Optional(registrationSchema),
    linkPreviews: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CommunityPatch = Static<typeof communityPatchSchema>;
