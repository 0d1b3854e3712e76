import { Type, type Static } from 'typebox';
import { mediaSourceSchema } from './state.ts';

/** Largest signaling frame the SFU reads (SDP with many m-lines stays well under). */
export const SIGNAL_FRAME_BYTES = 256 * 1024;

/** First frame on the SFU socket: the grant, never in the URL. */
export const joinSignal = Type.Object({
  type: Type.Literal('join'),
  grant: Type.String({ maxLength: 8192 }),
  muted: Type.Optional(Type.Boolean()),
  deafened: Type.Optional(Type.Boolean()),
});

/** The client's answer to the SFU's latest offer (the SFU always offers). */
export const answerSignal = Type.Object({
  type: Type.Literal('answer'),
  sdp: Type.String({ maxLength: SIGNAL_FRAME_BYTES }),
});

/** A trickled ICE candidate of the client; `null` ends the candidates. */
export const candidateSignal = Type.Object({
  type: Type.Literal('candidate'),
  candidate: Type.Union([
    Type.Object({
      candidate: Type.String({ maxLength: 1024 }),
      sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
      sdpMLineIndex: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
      usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    }),
    Type.Null(),
  ]),
});

/** Asks for a receive slot for a source; the SFU answers with an offer naming its mid. */
export const publishSignal = Type.Object({
  type: Type.Literal('publish'),
  source: mediaSourceSchema,
});

/** Stops a source; the SFU stops forwarding it and tells the others. */
export const unpublishSignal = Type.Object({
  type: Type.Literal('unpublish'),
  source: mediaSourceSchema,
});

/** Self-reported state changes. The SFU also drops a muted client's audio. */
export const stateSignal = Type.Object({
  type: Type.Literal('state'),
  muted: Type.Optional(Type.Boolean()),
  deafened: Type.Optional(Type.Boolean()),
  speaking: Type.Optional(Type.Boolean()),
});

/**
 * A fresh grant for the same user and channel, sent before the current one
 * expires (the SFU ends a session whose grant ran out). The SFU applies its
 * perms, which the sync server recomputed when it signed it.
 */
export const grantSignal = Type.Object({
  type: Type.Literal('grant'),
  grant: Type.String({ maxLength: 8192 }),
});

/** Leaves the channel; the SFU closes the socket. */
export const leaveSignal = Type.Object({ type: Type.Literal('leave') });

/** Every frame a client sends after `join`. */
export const signalUp = Type.Union([
  answerSignal,
  candidateSignal,
  publishSignal,
  unpublishSignal,
  stateSignal,
  grantSignal,
  leaveSignal,
]);
export type SignalUp = Static<typeof signalUp>;
export type JoinSignal = Static<typeof joinSignal>;
