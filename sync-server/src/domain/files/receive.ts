import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { AppError } from '@echora/shared';

/** An upload spooled to a temporary file; `discard` removes it. */
export interface Spooled {
  path: string;
  size: number;
  /** The name the client gave, unsanitised. */
  clientName: string | undefined;
  discard(): Promise<void>;
}

const isFileTooLarge = (error: unknown): boolean =>
  (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ||
  (error as { statusCode?: number }).statusCode === 413;

/**
 * Streams the one file of a multipart request to `tmpDir`, never holding it in
 * memory, and stops at `maxBytes` (one byte more is refused as too large).
 */
export async function spoolUpload(
  request: FastifyRequest,
  tmpDir: string,
  maxBytes: number,
): Promise<Spooled> {
  if (!request.isMultipart()) {
    throw new AppError('invalid', 'Send the file as multipart/form-data in a field named "file".');
  }
  let part;
  try {
    part = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 4 } });
  } catch (error) {
    if (isFileTooLarge(error)) throw tooLarge(maxBytes);
    throw new AppError('invalid', 'The multipart body could not be read.');
  }
  if (!part) throw new AppError('invalid', 'No file in the request.');
  return spoolPart(part, tmpDir, maxBytes);
}

/**
 * Streams one file part of a multipart body (read with a `fileSize` limit of
 * `maxBytes`) to `tmpDir`; refuses it as too large when it was cut at the
 * limit, or as invalid when it is empty or cut off.
 */
export async function spoolPart(
  part: MultipartFile,
  tmpDir: string,
  maxBytes: number,
): Promise<Spooled> {
  await mkdir(tmpDir, { recursive: true });
  const path = join(tmpDir, `upload-${randomBytes(12).toString('hex')}`);
  const discard = () => rm(path, { force: true });
  try {
    await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await discard();
    if (isFileTooLarge(error)) throw tooLarge(maxBytes);
    throw new AppError('invalid', 'The upload was cut off.');
  }
  if (part.file.truncated) {
    await discard();
    throw tooLarge(maxBytes);
  }
  const { size } = await stat(path);
  if (size === 0) {
    await discard();
    throw new AppError('invalid', 'The file is empty (0 bytes).');
  }
  return { path, size, clientName: part.filename, discard };
}

/** The refusal of a file over `maxBytes`, naming the limit. */
export function tooLarge(maxBytes: number): AppError {
  const mb = maxBytes / (1024 * 1024);
  const limit = Number.isInteger(mb) ? `${mb} MB` : `${maxBytes} bytes`;
  return new AppError('too_large', `The file is larger than the limit of ${limit}.`);
}
