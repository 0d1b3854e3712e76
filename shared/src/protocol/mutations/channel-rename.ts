import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { channelName, channelTopic } from './common.ts';

/** Rename a channel and optionally change its topic. Needs manage channels. */
export const channelRenameArgs = Type.Object(
  { id: Uuid, name: channelName, topic: Type.Optional(channelTopic) },
  { additionalProperties: false },
);
export type ChannelRenameArgs = Static<typeof channelRenameArgs>;
