import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Delete a channel and its messages. Needs manage channels. */
export const channelDeleteArgs = Type.Object({ id: Uuid }, { additionalProperties: false });
export type ChannelDeleteArgs = Static<typeof channelDeleteArgs>;
