import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * Mark a channel read up to the message with channel version `seq`. Monotonic:
 * a lower `seq` than the stored one changes nothing, so devices never move it back.
 */
export const readMarkArgs = Type.Object(
  { channelId: Uuid, seq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);
export type ReadMarkArgs = Static<typeof readMarkArgs>;
