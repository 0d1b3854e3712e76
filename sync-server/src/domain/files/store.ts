import { createReadStream } from 'node:fs';
import { newId } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import type { FileStorage } from '../../storage/index.ts';
import { mediaDurationMs } from './duration.ts';
import { processImage } from './images.ts';
import { safeFileName } from './names.ts';
import { fileKey, insertFile, thumbKey, type FileRow } from './queries.ts';
import type { Spooled } from './receive.ts';
import { sniffType } from './sniff.ts';
import { stat } from 'node:fs/promises';

/**
 * Stores a spooled upload as a new file of `ownerId`, attached to nothing:
 * real type from its bytes, metadata stripped and a thumbnail made for
 * images, then the bytes, then the row (a crash in between leaves bytes
 * without a row, never a row without bytes).
 */
export async function storeUpload(
  db: Queryable,
  storage: FileStorage,
  ownerId: string,
  spooled: Spooled,
): Promise<FileRow> {
  const id = newId();
  const contentType = await sniffType(spooled.path);
  const image = await processImage(spooled.path, contentType);
  // Stripping metadata changes the size.
  const size = image ? (await stat(spooled.path)).size : spooled.size;
  await storage.put(fileKey(id), createReadStream(spooled.path), { contentType, size });
  if (image?.thumb) {
    await storage.put(thumbKey(id), image.thumb, {
      contentType: 'image/webp',
      size: image.thumb.length,
    });
  }
  return insertFile(db, {
    id,
    owner_id: ownerId,
    purpose: 'attachment',
    name: safeFileName(spooled.clientName),
    size,
    content_type: contentType,
    width: image?.width ?? null,
    height: image?.height ?? null,
    duration_ms: image ? null : await mediaDurationMs(spooled.path, contentType, size),
    has_thumb: Boolean(image?.thumb),
  });
}
