import { Type, type Static } from 'typebox';
import { channelKindSchema, Uuid } from '../entities.ts';
import { channelName, channelTopic } from './common.ts';

/** Create a channel. `id` is a UUIDv7 made by the client. Needs manage channels. */
export const channelCreateArgs = Type.Object(
  { id: Uuid, kind: channelKindSchema, name: channelName, topic: Type.Optional(channelTopic) },
  { additionalProperties: false },
);
export type ChannelCreateArgs = Static<typeof channelCreateArgs>;
