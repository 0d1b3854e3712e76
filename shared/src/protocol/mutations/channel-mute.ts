import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/** Mute or unmute a channel for oneself: no notifications and no unread mark from it. */
export const channelMuteArgs = Type.Object(
  { channelId: Uuid, muted: Type.Boolean() },
  { additionalProperties: false },
);
export type ChannelMuteArgs = Static<typeof channelMuteArgs>;
