import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@echora/shared';
import type { Db } from '../../db/types.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import type { FileStorage } from '../../storage/index.ts';
import { processImage, THUMB_SIZE } from '../files/images.ts';
import { fileKey, fileUrl, insertFile } from '../files/queries.ts';
import { sniffType } from '../files/sniff.ts';
import { asPreviewFailure, type FetchCaps } from './fetch-page.ts';

/** Still images a card may show (never SVG: it is a document, not a picture). */
const IMAGES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);

export interface StoredImage {
  url: string;
  width: number;
  height: number;
}

/**
 * Fetches a page's card image through the SSRF guard and keeps only what the
 * upload pipeline makes of an image: the bytes are sniffed (the page's claimed
 * type is ignored), bounded in pixels, and resized to a WebP thumbnail, which
 * is stored as a `preview` file (served by the files route to members). The
 * page's own image URL never reaches a client. Undefined when there is no
 * usable image: the card is then shown without one.
 */
export async function storePreviewImage(
  db: Db,
  storage: FileStorage,
  outbound: SafeFetch,
  imageUrl: string,
  ownerId: string,
  caps: FetchCaps,
): Promise<StoredImage | undefined> {
  let body: Buffer;
  try {
    const response = await outbound.fetch(imageUrl, {
      headers: { accept: 'image/*' },
      maxBytes: caps.imageBytes,
      timeoutMs: caps.timeoutMs,
    });
    if (response.status < 200 || response.status >= 300) return undefined;
    body = response.body;
  } catch (err) {
    asPreviewFailure(err);
    return undefined;
  }
  if (body.byteLength === 0) return undefined;
  const path = join(tmpdir(), `preview-${randomBytes(12).toString('hex')}`);
  try {
    await writeFile(path, body, { mode: 0o600 });
    const type = await sniffType(path);
    if (!IMAGES.has(type)) return undefined;
    // Too many pixels (refused) or unreadable: no image.
    const image = await processImage(path, type).catch(() => undefined);
    if (!image?.thumb) return undefined;
    const id = newId();
    await storage.put(fileKey(id), image.thumb, {
      contentType: 'image/webp',
      size: image.thumb.length,
    });
    // The thumbnail is the file: a third party's full-size original is not kept.
    const scale = Math.min(1, THUMB_SIZE / Math.max(image.width, image.height));
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    await insertFile(db, {
      id,
      owner_id: ownerId,
      purpose: 'preview',
      name: 'preview.webp',
      size: image.thumb.length,
      content_type: 'image/webp',
      width,
      height,
      duration_ms: null,
      has_thumb: false,
    });
    return { url: fileUrl(id), width, height };
  } finally {
    await rm(path, { force: true });
  }
}
