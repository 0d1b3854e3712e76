import { open } from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';

const HEAD_BYTES = 8192;

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function looksLikeText(bytes: Buffer): boolean {
  // Control characters other than tab, newlines, form feed and escape mean binary.
  if (bytes.some((b) => b < 0x20 && ![0x09, 0x0a, 0x0c, 0x0d, 0x1b].includes(b))) return false;
  try {
    // A multi-byte character cut at the end of the sample is still text.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - 3));
    return true;
  } catch {
    return false;
  }
}

/**
 * The real media type of a file, from its bytes only (the client's claim and
 * the name's extension are ignored). Markup is named for what it is (so an
 * HTML page called `.png` is `text/html`) and later served as an attachment.
 */
export async function sniffType(path: string): Promise<string> {
  const detected = await fileTypeFromFile(path);
  // file-type names any XML (SVG included) application/xml: look closer at those.
  if (detected && !detected.mime.endsWith('/xml')) return detected.mime;
  const bytes = await head(path);
  if (!looksLikeText(bytes)) return 'application/octet-stream';
  const start = bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 512)
    .toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(start)) {
    return 'image/svg+xml';
  }
  if (/^(<!--[\s\S]*?-->\s*)*<(!doctype html|html|head|body|script|iframe)[\s>]/.test(start)) {
    return 'text/html';
  }
  return detected?.mime ?? 'text/plain';
}
