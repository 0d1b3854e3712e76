import { Type, type Static } from 'typebox';
import { authUp } from './up/auth.ts';
import { historyUp } from './up/history.ts';
import { mutateUp } from './up/mutate.ts';
import {
  notesAwarenessUp,
  notesCloseUp,
  notesOpenUp,
  notesRestoreUp,
  notesSyncUp,
  notesVersionsUp,
} from './up/notes.ts';
import { pingUp } from './up/ping.ts';
import { presenceUp } from './up/presence.ts';

export * from './up/auth.ts';
export * from './up/history.ts';
export * from './up/mutate.ts';
export * from './up/notes.ts';
export * from './up/ping.ts';
export * from './up/presence.ts';

/** Every frame a client may send after `auth`, keyed by `type`. */
export const upSchemas = {
  mutate: mutateUp,
  history: historyUp,
  presence: presenceUp,
  ping: pingUp,
  'notes.open': notesOpenUp,
  'notes.close': notesCloseUp,
  'notes.sync': notesSyncUp,
  'notes.awareness': notesAwarenessUp,
  'notes.versions': notesVersionsUp,
  'notes.restore': notesRestoreUp,
} as const;

export const upMessage = Type.Union([
  authUp,
  mutateUp,
  historyUp,
  presenceUp,
  pingUp,
  notesOpenUp,
  notesCloseUp,
  notesSyncUp,
  notesAwarenessUp,
  notesVersionsUp,
  notesRestoreUp,
]);
export type UpMessage = Static<typeof upMessage>;
