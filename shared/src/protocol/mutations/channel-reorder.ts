import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Set the order of channels: `ids` in their new order (ids not listed keep theirs, after). */
export const channelReorderArgs = Type.Object(
  { ids: Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true }) },
  { additionalProperties: false },
);
export type ChannelReorderArgs = Static<typeof channelReorderArgs>;
