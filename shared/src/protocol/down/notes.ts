import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { wireErrorSchema } from './error.ts';

/** The document is open: `canWrite` says whether this user's edits will be kept. */
export const notesOpenedDown = Type.Object({
  type: Type.Literal('notes.opened'),
  channelId: Uuid,
  canWrite: Type.Boolean(),
  /** Largest the document may grow, in bytes of its compacted state. */
  maxBytes: Type.Integer(),
});
export type NotesOpenedDown = Static<typeof notesOpenedDown>;

/** A y-protocols sync message (base64) of an open document. */
export const notesSyncDown = Type.Object({
  type: Type.Literal('notes.sync'),
  channelId: Uuid,
  data: Type.String(),
});
export type NotesSyncDown = Static<typeof notesSyncDown>;

/** A y-protocols awareness update (base64) of an open document. */
export const notesAwarenessDown = Type.Object({
  type: Type.Literal('notes.awareness'),
  channelId: Uuid,
  data: Type.String(),
});
export type NotesAwarenessDown = Static<typeof notesAwarenessDown>;

/**
 * A notes frame was refused: `forbidden` (may not write), `too_large` (the
 * document or the update is over its cap), `rate_limited`, `invalid` (not a
 * y-protocols message), `not_found` (no such channel, or not open). The
 * client keeps its edits and re-opens to resync when it makes sense.
 */
export const notesRefusedDown = Type.Object({
  type: Type.Literal('notes.refused'),
  channelId: Uuid,
  error: wireErrorSchema,
});
export type NotesRefusedDown = Static<typeof notesRefusedDown>;

/** The document was closed by the server: the user lost sight of the channel. */
export const notesClosedDown = Type.Object({
  type: Type.Literal('notes.closed'),
  channelId: Uuid,
  error: wireErrorSchema,
});
export type NotesClosedDown = Static<typeof notesClosedDown>;

/** The kept versions of a document, newest first. */
export const notesVersionsDown = Type.Object({
  type: Type.Literal('notes.versions'),
  channelId: Uuid,
  versions: Type.Array(
    Type.Object({ id: Type.String(), createdAt: Type.String(), preview: Type.String() }),
  ),
});
export type NotesVersionsDown = Static<typeof notesVersionsDown>;

/** Every notes frame the server sends. */
export type NotesDown =
  | NotesOpenedDown
  | NotesSyncDown
  | NotesAwarenessDown
  | NotesRefusedDown
  | NotesClosedDown
  | NotesVersionsDown;
