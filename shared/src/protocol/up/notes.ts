import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';
import { Limits } from '../limits.ts';

/** Base64 of a binary y-protocols message; the frame cap bounds it first. */
const base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: Limits.frameBytes });

/**
 * Opens the notes document of a text channel: the server answers
 * `notes.opened`, then its sync step 1 and the awareness of everyone present.
 * @example { "type": "notes.open", "channelId": "0190…" }
 */
export const notesOpenUp = Type.Object(
  { type: Type.Literal('notes.open'), channelId: Uuid },
  { additionalProperties: false },
);
export type NotesOpenUp = Static<typeof notesOpenUp>;

/** Stops receiving a document's updates and awareness. */
export const notesCloseUp = Type.Object(
  { type: Type.Literal('notes.close'), channelId: Uuid },
  { additionalProperties: false },
);
export type NotesCloseUp = Static<typeof notesCloseUp>;

/**
 * A y-protocols sync message (step 1, step 2 or update) for an open document.
 * Step 2 and updates from someone who may not write are refused with
 * `notes.refused` (`forbidden`), unless they carry nothing.
 */
export const notesSyncUp = Type.Object(
  { type: Type.Literal('notes.sync'), channelId: Uuid, data: base64 },
  { additionalProperties: false },
);
export type NotesSyncUp = Static<typeof notesSyncUp>;

/** A y-protocols awareness update (cursor, selection, name) for an open document. */
export const notesAwarenessUp = Type.Object(
  { type: Type.Literal('notes.awareness'), channelId: Uuid, data: base64 },
  { additionalProperties: false },
);
export type NotesAwarenessUp = Static<typeof notesAwarenessUp>;

/** Asks for the kept versions of an open document (answered by `notes.versions`). */
export const notesVersionsUp = Type.Object(
  { type: Type.Literal('notes.versions'), channelId: Uuid },
  { additionalProperties: false },
);
export type NotesVersionsUp = Static<typeof notesVersionsUp>;

/**
 * Makes the document's text what it was in a kept version, as one edit that
 * everyone receives (and that can itself be undone by restoring another).
 */
export const notesRestoreUp = Type.Object(
  {
    type: Type.Literal('notes.restore'),
    channelId: Uuid,
    versionId: Type.String({ pattern: '^[0-9]{1,18}$' }),
  },
  { additionalProperties: false },
);
export type NotesRestoreUp = Static<typeof notesRestoreUp>;

/** Every notes frame a client sends. */
export type NotesUp =
  NotesOpenUp | NotesCloseUp | NotesSyncUp | NotesAwarenessUp | NotesVersionsUp | NotesRestoreUp;
