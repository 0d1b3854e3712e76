import { Type, type Static } from 'typebox';
import { Uuid } from '../protocol/entities.ts';
import { voiceSessionPermsSchema } from './access.ts';

/** Media a client publishes: one microphone, one camera, one screen at most. */
export const mediaSourceSchema = Type.Union([
  Type.Literal('mic'),
  Type.Literal('camera'),
  Type.Literal('screen'),
]);
export type MediaSource = Static<typeof mediaSourceSchema>;

/** The RTP kind each source travels as. */
export const sourceKind: Record<MediaSource, 'audio' | 'video'> = {
  mic: 'audio',
  camera: 'video',
  screen: 'video',
};

/** One user in one voice channel, as everyone sees it. Ephemeral: never in the feed. */
export const voiceParticipantSchema = Type.Object({
  userId: Uuid,
  channelId: Uuid,
  /** Muted by themselves, or by a moderator (`serverMuted`). */
  muted: Type.Boolean(),
  serverMuted: Type.Boolean(),
  /** Deafened by themselves: the SFU forwards them no audio. */
  deafened: Type.Boolean(),
  /** Deafened by a moderator: no audio reaches them, whatever they ask. */
  serverDeafened: Type.Boolean(),
  /** Publishing camera or screen video. */
  streaming: Type.Boolean(),
  camera: Type.Boolean(),
  screen: Type.Boolean(),
  speaking: Type.Boolean(),
  /** Epoch ms of the join, to order the list. */
  joinedAt: Type.Number(),
});
export type VoiceParticipant = Static<typeof voiceParticipantSchema>;

/**
 * Most participants one SFU node reports (and holds). A werift node is
 * CPU-bound long before this; the cap keeps a report within
 * {@link VOICE_REPORT_MAX_BYTES}.
 */
export const VOICE_NODE_MAX_PARTICIPANTS = 4096;
/** Largest report body the sync server reads (from an authenticated node only). */
export const VOICE_REPORT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * What an SFU node posts to the sync server (`POST /api/internal/voice/report`,
 * `Authorization: Bearer <HS256 JWT, aud echora-sync-internal>`): every
 * participant it holds. Whole snapshots rather than deltas, so a lost post or a
 * restarted node heals with the next one; the node posts on every change and
 * at least every `VOICE_REPORT_INTERVAL_MS`.
 */
export const voiceNodeReportSchema = Type.Object({
  node: Type.String({ maxLength: 2048 }),
  /** Increases with every report of this node process, so a late post never rolls state back. */
  seq: Type.Number(),
  /** Random per process start: a restarted node's seq starts over. */
  epoch: Type.String({ maxLength: 64 }),
  participants: Type.Array(voiceParticipantSchema, { maxItems: VOICE_NODE_MAX_PARTICIPANTS }),
  /**
   * What each participant may do on the node now (from its grant, or the sync
   * server's last command), so the sync server can correct what is out of date.
   * Absent from nodes older than this field.
   */
  perms: Type.Optional(
    Type.Array(voiceSessionPermsSchema, { maxItems: VOICE_NODE_MAX_PARTICIPANTS }),
  ),
  /**
   * Where the node takes moderation commands (`POST <control>/internal/moderate`),
   * an http(s) base URL; absent on nodes that take none.
   */
  control: Type.Optional(Type.String({ maxLength: 2048 })),
});
export type VoiceNodeReport = Static<typeof voiceNodeReportSchema>;

/** An SFU node reports at least this often. */
export const VOICE_REPORT_INTERVAL_MS = 4000;
/** A node silent for this long is presumed dead; its participants vanish. */
export const VOICE_NODE_TTL_MS = 12_000;
/** Audience of the SFU's report tokens (signed with the voice secret). */
export const VOICE_REPORT_AUDIENCE = 'echora-sync-internal';
