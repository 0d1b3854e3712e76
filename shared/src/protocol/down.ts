import { Type, type Static } from 'typebox';
import { ackDown, rejectDown } from './down/ack.ts';
import { changesDown } from './down/changes.ts';
import { errorDown } from './down/error.ts';
import { historyDown } from './down/history.ts';
import {
  notesAwarenessDown,
  notesClosedDown,
  notesOpenedDown,
  notesRefusedDown,
  notesSyncDown,
  notesVersionsDown,
} from './down/notes.ts';
import { pongDown } from './down/pong.ts';
import { presenceDown, presenceSnapshotDown } from './down/presence.ts';
import { readyDown } from './down/ready.ts';
import { resetDown } from './down/reset.ts';
import { removedDown } from './down/removed.ts';
import { revokeDown } from './down/revoke.ts';
import { syncedDown } from './down/synced.ts';
import { typingDown } from './down/typing.ts';
import { voiceSnapshotDown, voiceStateDown } from './down/voice.ts';

export * from './down/ack.ts';
export * from './down/changes.ts';
export * from './down/error.ts';
export * from './down/history.ts';
export * from './down/notes.ts';
export * from './down/pong.ts';
export * from './down/presence.ts';
export * from './down/ready.ts';
export * from './down/reset.ts';
export * from './down/removed.ts';
export * from './down/revoke.ts';
export * from './down/synced.ts';
export * from './down/typing.ts';
export * from './down/voice.ts';

/** Every frame the server sends. */
export const downMessage = Type.Union([
  readyDown,
  changesDown,
  resetDown,
  revokeDown,
  removedDown,
  syncedDown,
  ackDown,
  rejectDown,
  historyDown,
  presenceDown,
  presenceSnapshotDown,
  typingDown,
  voiceStateDown,
  voiceSnapshotDown,
  notesOpenedDown,
  notesSyncDown,
  notesAwarenessDown,
  notesRefusedDown,
  notesClosedDown,
  notesVersionsDown,
  errorDown,
  pongDown,
]);
export type DownMessage = Static<typeof downMessage>;
