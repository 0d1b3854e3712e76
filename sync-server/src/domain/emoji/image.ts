import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AppError, EmojiRules } from '@echora/shared';

/**
 * Checks an uploaded emoji image: its type sniffed from the bytes (never the
 * name or the header the client sent), its size, and that it decodes.
 * Returns its content type and whether it moves.
 */
export async function checkEmojiImage(
  bytes: Uint8Array,
): Promise<{ contentType: string; animated: boolean }> {
  if (bytes.length === 0) throw new AppError('invalid', 'file: empty');
  if (bytes.length > EmojiRules.maxBytes) {
    throw new AppError(
      'too_large',
      `file: ${bytes.length} bytes; a custom emoji is at most ${EmojiRules.maxBytes / 1024} KB`,
    );
  }
  const type = await fileTypeFromBuffer(bytes);
  const allowed: readonly string[] = EmojiRules.types;
  if (!type || !allowed.includes(type.mime)) {
    throw new AppError('invalid', 'file: a custom emoji must be a PNG, GIF or WebP image');
  }
  try {
    const meta = await sharp(bytes, { animated: true, limitInputPixels: 4096 * 4096 }).metadata();
    return { contentType: type.mime, animated: (meta.pages ?? 1) > 1 };
  } catch {
    throw new AppError('invalid', 'file: the image cannot be read');
  }
}
