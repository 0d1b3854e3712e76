import { AppError, newId } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import type { FileStorage } from '../../storage/index.ts';
import { squareAvatar } from '../files/images.ts';
import { fileKey, findFile, insertFile, thumbKey } from '../files/queries.ts';

/** Avatar sizes: the full one and its thumbnail (pixels, square). */
export const AVATAR_SIZE = 256;
export const AVATAR_THUMB_SIZE = 64;

const AVATAR_SOURCES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/avif',
  'image/gif',
]);

async function readAll(storage: FileStorage, key: string): Promise<Buffer> {
  const stream = await storage.get(key);
  if (!stream) throw new AppError('not_found', 'avatarUploadId: the upload is gone.');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Turns an image the user uploaded (and has not attached) into their avatar:
 * a centre-cropped square and a thumbnail, stored as a new file. The upload
 * itself is left for the orphan sweep. Returns the avatar's file id.
 */
export async function makeAvatar(
  db: Queryable,
  storage: FileStorage,
  userId: string,
  uploadId: string,
): Promise<string> {
  const upload = await findFile(db, uploadId);
  if (
    !upload ||
    upload.owner_id !== userId ||
    upload.purpose !== 'attachment' ||
    upload.message_id
  ) {
    throw new AppError('not_found', 'avatarUploadId: no unattached upload of yours.');
  }
  if (!AVATAR_SOURCES.has(upload.content_type)) {
    throw new AppError(
      'invalid',
      'avatarUploadId: an avatar must be a PNG, JPEG, WebP, AVIF or GIF image.',
    );
  }
  const source = await readAll(storage, fileKey(upload.id));
  let full: Buffer;
  let thumb: Buffer;
  try {
    full = await squareAvatar(source, AVATAR_SIZE);
    thumb = await squareAvatar(source, AVATAR_THUMB_SIZE);
  } catch {
    throw new AppError('invalid', 'avatarUploadId: the image could not be read.');
  }
  const id = newId();
  await storage.put(fileKey(id), full, { contentType: 'image/webp', size: full.length });
  await storage.put(thumbKey(id), thumb, { contentType: 'image/webp', size: thumb.length });
  await insertFile(db, {
    id,
    owner_id: userId,
    purpose: 'avatar',
    name: 'avatar.webp',
    size: full.length,
    content_type: 'image/webp',
    width: AVATAR_SIZE,
    height: AVATAR_SIZE,
    duration_ms: null,
    has_thumb: true,
  });
  return id;
}
