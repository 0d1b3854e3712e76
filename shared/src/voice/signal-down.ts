import { Type, type Static } from 'typebox';
import { Uuid } from '../protocol/entities.ts';
import { mediaSourceSchema, voiceParticipantSchema } from './state.ts';
import { voicePermsSchema } from './grant.ts';

/** The grant was accepted: who is here already and what this client may do. */
export const joinedSignal = Type.Object({
  type: Type.Literal('joined'),
  userId: Uuid,
  channelId: Uuid,
  perms: voicePermsSchema,
  participants: Type.Array(voiceParticipantSchema),
});

/** A track the SFU sends this client, named by its transceiver mid. */
export const remoteTrackSchema = Type.Object({
  mid: Type.String(),
  userId: Uuid,
  source: mediaSourceSchema,
});
export type RemoteTrack = Static<typeof remoteTrackSchema>;

/**
 * An offer from the SFU (it is the only side that offers, so there is no
 * glare). `publish` maps the client's own sources to the receive slots the
 * client must send on; `tracks` names every live track sent to the client.
 */
export const offerSignal = Type.Object({
  type: Type.Literal('offer'),
  sdp: Type.String(),
  publish: Type.Array(Type.Object({ mid: Type.String(), source: mediaSourceSchema })),
  tracks: Type.Array(remoteTrackSchema),
});

/** The room changed: everyone in it now. */
export const participantsSignal = Type.Object({
  type: Type.Literal('participants'),
  participants: Type.Array(voiceParticipantSchema),
});

/**
 * What this client may do changed: a renewed grant was applied, or the sync
 * server lowered (or raised) its perms. Without `stream` the SFU has ended the
 * client's camera and screen; without `speak` its microphone reaches nobody.
 */
export const permsSignal = Type.Object({
  type: Type.Literal('perms'),
  perms: voicePermsSchema,
  /** Epoch ms (the grant's `exp`) after which the SFU ends the session unless a new grant came. */
  expiresAt: Type.Number(),
});

/** A refused request (e.g. `publish` of video without `stream`); the socket stays open. */
export const errorSignal = Type.Object({
  type: Type.Literal('error'),
  kind: Type.String(),
  message: Type.String(),
});

/** Every frame the SFU sends. */
export const signalDown = Type.Union([
  joinedSignal,
  offerSignal,
  participantsSignal,
  permsSignal,
  errorSignal,
]);
export type SignalDown = Static<typeof signalDown>;
export type OfferSignal = Static<typeof offerSignal>;
export type JoinedSignal = Static<typeof joinedSignal>;
export type PermsSignal = Static<typeof permsSignal>;
