import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { voiceParticipantSchema } from '../../voice/state.ts';

/** Who is in one voice channel now (the whole list, so a lost frame heals with the next). */
export const voiceStateDown = Type.Object({
  type: Type.Literal('voice.state'),
  channelId: Uuid,
  participants: Type.Array(voiceParticipantSchema),
});
export type VoiceStateDown = Static<typeof voiceStateDown>;

/** Every non-empty voice channel the user may see, sent once after `ready`. */
export const voiceSnapshotDown = Type.Object({
  type: Type.Literal('voice.snapshot'),
  channels: Type.Array(
    Type.Object({ channelId: Uuid, participants: Type.Array(voiceParticipantSchema) }),
  ),
});
export type VoiceSnapshotDown = Static<typeof voiceSnapshotDown>;
