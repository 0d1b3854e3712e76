import { Type, type Static } from 'typebox';
import { attachmentSchema, Uuid } from '../entities.ts';

/** Attachments per message. */
export const MAX_ATTACHMENTS = 10;

/**
 * `POST /api/uploads` (multipart, one file) answers with the stored file: its
 * real type (sniffed from the bytes), dimensions and URLs. It belongs to the
 * uploader and is attached to nothing until a `message.send` names its id.
 */
export const uploadResponseSchema = Type.Object({ file: attachmentSchema });
export type UploadResponse = Static<typeof uploadResponseSchema>;

/** `GET /api/files/:id` and `/api/files/:id/thumb`. */
export const fileParamsSchema = Type.Object({ id: Uuid });

/**
 * Media types a browser may show inline; anything else (SVG, HTML, PDF, text ...)
 * is served as an attachment.
 */
export const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/mp4',
  'audio/flac',
]);

/** How a client should preview an attachment of `contentType`. */
export function previewKind(contentType: string): 'image' | 'video' | 'audio' | 'file' {
  if (!INLINE_TYPES.has(contentType)) return 'file';
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.startsWith('audio/')) return 'audio';
  return 'file';
}
