import { rename } from 'node:fs/promises';
import sharp from 'sharp';

/** Images sharp re-encodes (to strip metadata) and thumbnails. */
const PROCESSED = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/tiff']);
const THUMBNAILED = new Set([...PROCESSED, 'image/gif']);

/** A thumbnail's longest side. */
export const THUMB_SIZE = 400;

export interface ImageInfo {
  width: number;
  height: number;
  thumb: Buffer | null;
}

/**
 * Strips EXIF/XMP/IPTC (GPS location among them) from a still image in place,
 * applying its orientation first, and makes a WebP thumbnail. Files without
 * such metadata keep their bytes. Undefined when the bytes are not an image
 * sharp can read (corrupt, or too many pixels): the file is then kept as a
 * plain download.
 */
export async function processImage(
  path: string,
  contentType: string,
): Promise<ImageInfo | undefined> {
  if (!THUMBNAILED.has(contentType)) return undefined;
  try {
    const meta = await sharp(path).metadata();
    const rotated = (meta.orientation ?? 1) >= 5;
    if (PROCESSED.has(contentType) && (meta.exif || meta.xmp || meta.iptc)) {
      const clean = `${path}.clean`;
      // Re-encoding without withMetadata() drops it; the same format keeps the file's type.
      await sharp(path).rotate().toFormat(meta.format).toFile(clean);
      await rename(clean, path);
    }
    const thumb = await sharp(path, { animated: false })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    const width = (rotated ? meta.height : meta.width) ?? 0;
    const height = (rotated ? meta.width : meta.height) ?? 0;
    return { width, height, thumb };
  } catch {
    return undefined;
  }
}

/** A square avatar: the centre crop of an image, at `size` pixels, as WebP. */
export function squareAvatar(input: Buffer | string, size: number): Promise<Buffer> {
  return sharp(input, { animated: false })
    .rotate()
    .resize(size, size, { fit: 'cover', position: 'centre' })
    .webp({ quality: 85 })
    .toBuffer();
}
