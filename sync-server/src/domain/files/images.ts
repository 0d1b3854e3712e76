import { rename } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '@echora/shared';
import { imageWork } from './image-queue.ts';

/** Images sharp re-encodes (to strip metadata) and thumbnails. */
const PROCESSED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/tiff']);
const THUMBNAILED = new Set([...PROCESSED, 'image/gif']);

/** A thumbnail's longest side. */
export const THUMB_SIZE = 400;

/**
 * The most pixels an uploaded image may have: 50 megapixels (an 8000×6000
 * photo fits). Decoding costs CPU in proportion to pixels, not bytes: a
 * 32 KB PNG of 16383² pixels took 1.6 s of it. sharp's own default allowed
 * that image exactly.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;

export interface ImageInfo {
  width: number;
  height: number;
  thumb: Buffer | null;
}

/**
 * Strips EXIF/XMP/IPTC (GPS location among them) from a still image in place,
 * applying its orientation first, and makes a WebP thumbnail. Files without
 * such metadata keep their bytes. Undefined when the bytes are not an image
 * sharp can read (corrupt): the file is then kept as a plain download. An
 * image of more than {@link MAX_IMAGE_PIXELS} is refused (`too_large`), read
 * no further than its header: it could be neither stripped nor shown cheaply.
 * Runs in the image queue.
 */
export function processImage(path: string, contentType: string): Promise<ImageInfo | undefined> {
  if (!THUMBNAILED.has(contentType)) return Promise.resolve(undefined);
  return imageWork(() => stripAndThumbnail(path, contentType));
}

async function stripAndThumbnail(
  path: string,
  contentType: string,
): Promise<ImageInfo | undefined> {
  let meta: Metadata;
  try {
    // Reads the header only; the pixel check comes before any decoding.
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    return undefined;
  }
  const pageHeight = meta.pageHeight ?? meta.height;
  if (meta.width * pageHeight > MAX_IMAGE_PIXELS) {
    throw new AppError(
      'too_large',
      `The image is ${meta.width}×${pageHeight} pixels; images may have at most ` +
        `${MAX_IMAGE_PIXELS / 1_000_000} megapixels.`,
    );
  }
  try {
    const rotated = (meta.orientation ?? 1) >= 5;
    if (PROCESSED.has(contentType) && (meta.exif || meta.xmp || meta.iptc)) {
      const clean = `${path}.clean`;
      // Re-encoding without withMetadata() drops it; the same format keeps the file's type.
      await sharp(path, { limitInputPixels: MAX_IMAGE_PIXELS })
        .rotate()
        .toFormat(meta.format)
        .toFile(clean);
      await rename(clean, path);
    }
    const thumb = await sharp(path, { animated: false, limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return {
      width: rotated ? pageHeight : meta.width,
      height: rotated ? meta.width : pageHeight,
      thumb,
    };
  } catch {
    return undefined;
  }
}

/** A square avatar: the centre crop of an image, at `size` pixels, as WebP. Runs in the image queue. */
export function squareAvatar(input: Buffer | string, size: number): Promise<Buffer> {
  return imageWork(() =>
    sharp(input, { animated: false, limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate()
      .resize(size, size, { fit: 'cover', position: 'centre' })
      .webp({ quality: 85 })
      .toBuffer(),
  );
}
