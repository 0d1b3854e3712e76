import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * Removes the link previews of a message, and stops any still being made
 * (idempotent). Only its author may.
 */
export const messageRemovePreviewArgs = Type.Object({ id: Uuid }, { additionalProperties: false });
export type MessageRemovePreviewArgs = Static<typeof messageRemovePreviewArgs>;
