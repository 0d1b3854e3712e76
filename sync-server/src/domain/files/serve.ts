import type { FastifyReply } from 'fastify';
import { AppError } from '@echora/shared';
import type { FileStorage } from '../../storage/index.ts';
import { serveAs } from './names.ts';
import { fileKey, thumbKey, type FileRow } from './queries.ts';

/** How long a presigned S3 link lives; the server has checked access just before. */
export const PRESIGN_SECONDS = 5 * 60;

/**
 * Sends a file the caller may read: from the local disk through the server,
 * or, where the backend presigns, as a redirect to a short-lived URL that
 * carries the same type and disposition.
 */
export async function sendFile(
  reply: FastifyReply,
  storage: FileStorage,
  file: FileRow,
  thumb: boolean,
): Promise<FastifyReply> {
  if (thumb && !file.has_thumb) throw new AppError('not_found', 'This file has no thumbnail.');
  const key = thumb ? thumbKey(file.id) : fileKey(file.id);
  const how = thumb
    ? serveAs('image/webp', `${file.name}.webp`)
    : serveAs(file.content_type, file.name);
  reply.header('x-content-type-options', 'nosniff');
  // Even a file opened by hand cannot run script or load anything as this origin.
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('content-disposition', how.disposition);
  const presigned = await storage.presignGet(key, how, PRESIGN_SECONDS);
  if (presigned) {
    reply.header('cache-control', 'private, no-store');
    return reply.redirect(presigned, 302);
  }
  const head = await storage.head(key);
  const body = head && (await storage.get(key));
  if (!head || !body) throw new AppError('not_found', 'The file is missing from storage.');
  // A file never changes under its id; access is checked on every request that reaches here.
  reply.header('cache-control', 'private, max-age=31536000, immutable');
  reply.header('content-length', head.size);
  reply.type(how.contentType);
  return reply.send(body);
}
