import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { Limits } from '../limits.ts';
import { singleLineText } from '../text.ts';

/** A group conversation's name: up to 100 characters, empty for none (the client lists the people). */
export const dmName = singleLineText({ maxLength: Limits.dmNameLength });

/**
 * Start a group conversation (`id` is a UUIDv7 made by the client) with
 * `userIds` (the creator is added; at most 10 people in all).
 */
export const dmCreateArgs = Type.Object(
  {
    id: Uuid,
    userIds: Type.Array(Uuid, { minItems: 1, maxItems: Limits.dmParticipants - 1 }),
    name: Type.Optional(dmName),
  },
  { additionalProperties: false },
);
export type DmCreateArgs = Static<typeof dmCreateArgs>;

/** Rename a group conversation (any participant). */
export const dmRenameArgs = Type.Object(
  { id: Uuid, name: dmName },
  { additionalProperties: false },
);
export type DmRenameArgs = Static<typeof dmRenameArgs>;

/** Add people to a group conversation (any participant; at most 10 people in all). */
export const dmAddArgs = Type.Object(
  { id: Uuid, userIds: Type.Array(Uuid, { minItems: 1, maxItems: Limits.dmParticipants - 1 }) },
  { additionalProperties: false },
);
export type DmAddArgs = Static<typeof dmAddArgs>;

/** Remove someone from a group conversation (its owner only). */
export const dmRemoveArgs = Type.Object(
  { id: Uuid, userId: Uuid },
  { additionalProperties: false },
);
export type DmRemoveArgs = Static<typeof dmRemoveArgs>;

/** Leave a group conversation; the next participant becomes owner when the owner leaves. */
export const dmLeaveArgs = Type.Object({ id: Uuid }, { additionalProperties: false });
export type DmLeaveArgs = Static<typeof dmLeaveArgs>;
