import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { multiLineText, singleLineText } from '../text.ts';

/** Length limits of profile fields (characters). */
export const ProfileLimits = {
  displayName: 32,
  bio: 190,
  pronouns: 40,
  statusText: 128,
} as const;

/**
 * `PATCH /api/profile`: the fields to change. `avatarUploadId` names an image
 * uploaded with `POST /api/uploads` (cropped square by the server); null
 * removes the avatar. Text fields refuse control characters (the bio keeps line breaks).
 */
export const profilePatchSchema = Type.Object(
  {
    displayName: Type.Optional(
      singleLineText({ minLength: 1, maxLength: ProfileLimits.displayName }),
    ),
    bio: Type.Optional(multiLineText({ maxLength: ProfileLimits.bio })),
    pronouns: Type.Optional(singleLineText({ maxLength: ProfileLimits.pronouns })),
    statusText: Type.Optional(singleLineText({ maxLength: ProfileLimits.statusText })),
    avatarUploadId: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ProfilePatch = Static<typeof profilePatchSchema>;
