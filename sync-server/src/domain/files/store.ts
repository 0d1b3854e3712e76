import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { newId } from '@echora/shared';
import type { Db } from '../../db/types.ts';
import type { FileStorage } from '../../storage/index.ts';
import { mediaDurationMs } from './duration.ts';
import { processImage } from './images.ts';
import { safeFileName } from './names.ts';
import { fileKey, insertFile, thumbKey, type FileRow } from './queries.ts';
import { checkQuota, usedBytes } from './quota.ts';
import type { Spooled } from './receive.ts';
import { sniffType } from './sniff.ts';
import { uploadBytes } from '../../metrics/registry.ts';

/**
 * Stores a spooled upload as a new file of `ownerId`, attached to nothing:
 * real type from its bytes, metadata stripped and a thumbnail made for
 * images, then the bytes, then the row (a crash in between leaves bytes
 * without a row, never a row without bytes). With a `quotaBytes` (0: none),
 * the row is written only while the owner's live files stay within it:
 * checked before the bytes are stored, and again under a lock on the owner,
 * so uploads at once cannot pass it together.
 */
export async function storeUpload(
  db: Db,
  storage: FileStorage,
  ownerId: string,
  spooled: Spooled,
  quotaBytes = 0,
): Promise<FileRow> {
  const id = newId();
  const contentType = await sniffType(spooled.path);
  const image = await processImage(spooled.path, contentType);
  // Stripping metadata changes the size.
  const size = image ? (await stat(spooled.path)).size : spooled.size;
  if (quotaBytes > 0) checkQuota(await usedBytes(db, ownerId), size, quotaBytes);
  await storage.put(fileKey(id), createReadStream(spooled.path), { contentType, size });
  uploadBytes.inc(size);
  if (image?.thumb) {
    await storage.put(thumbKey(id), image.thumb, {
      contentType: 'image/webp',
      size: image.thumb.length,
    });
  }
  const row = {
    id,
    owner_id: ownerId,
    purpose: 'attachment' as const,
    name: safeFileName(spooled.clientName),
    size,
    content_type: contentType,
    width: image?.width ?? null,
    height: image?.height ?? null,
    duration_ms: image ? null : await mediaDurationMs(spooled.path, contentType, size),
    has_thumb: Boolean(image?.thumb),
  };
  if (quotaBytes === 0) return insertFile(db, row);
  try {
    return await db.transaction(async (tx) => {
      // Uploads of one owner queue here, so each sees the others' rows.
      await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [ownerId]);
      checkQuota(await usedBytes(tx, ownerId), size, quotaBytes);
      return insertFile(tx, row);
    });
  } catch (error) {
    // Refused after all: no row points to these bytes.
    await storage.delete(fileKey(id));
    await storage.delete(thumbKey(id));
    throw error;
  }
}
