import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { permissionBits } from './role-common.ts';

/**
 * Set a channel's override for a role or a member; `allow = deny = 0`
 * removes it. Needs manage roles in the channel; changed bits must be bits
 * the actor holds there.
 */
export const channelOverridesArgs = Type.Object(
  {
    channelId: Uuid,
    targetType: Type.Union([Type.Literal('role'), Type.Literal('member')]),
    targetId: Uuid,
    allow: permissionBits,
    deny: permissionBits,
  },
  { additionalProperties: false },
);
export type ChannelOverridesArgs = Static<typeof channelOverridesArgs>;
