import type { FastifyRequest } from 'fastify';
import { AppError } from '@echora/shared';
import { MAX_ATTACHMENTS } from '@echora/shared/protocol/rest/files';
import { spoolPart, tooLarge, type Spooled } from '../files/receive.ts';

/** The largest text field (`payload_json`, `content`) of a multipart post. */
export const FIELD_LIMIT = 64 * 1024;
const MAX_FIELDS = 8;

/** A multipart post read: the payload (as a JSON post would carry it) and its files, spooled. */
export interface WebhookForm {
  payload: unknown;
  files: Spooled[];
}

const codeOf = (error: unknown) => (error as { code?: unknown }).code;

function readError(error: unknown, maxBytes: number): AppError {
  if (error instanceof AppError) return error;
  switch (codeOf(error)) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(maxBytes);
    case 'FST_FILES_LIMIT':
      return new AppError('too_large', `A message holds at most ${MAX_ATTACHMENTS} files.`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new AppError('too_large', 'The form has too many fields.');
    default:
      return new AppError('invalid', 'The multipart body could not be read.');
  }
}

/**
 * Reads Discord's multipart post: the payload as JSON in `payload_json` (or
 * as plain `content`, `text` and `username` fields), and every file part
 * (`files[0]`, `files[1]` … or any other name) spooled to `tmpDir` under the
 * user upload limit `maxBytes`, at most {@link MAX_ATTACHMENTS} of them. A
 * refused body leaves no spooled file behind.
 */
export async function readWebhookForm(
  request: FastifyRequest,
  tmpDir: string,
  maxBytes: number,
  parseJson: (request: FastifyRequest, text: string, field: string) => Promise<unknown>,
): Promise<WebhookForm> {
  const files: Spooled[] = [];
  const fields: Record<string, string> = {};
  let payloadJson: string | undefined;
  try {
    const parts = request.parts({
      limits: {
        fileSize: maxBytes,
        files: MAX_ATTACHMENTS,
        fields: MAX_FIELDS,
        fieldSize: FIELD_LIMIT,
        parts: MAX_ATTACHMENTS + MAX_FIELDS,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        files.push(await spoolPart(part, tmpDir, maxBytes));
        continue;
      }
      if (part.valueTruncated) {
        throw new AppError('too_large', `${part.fieldname}: over ${FIELD_LIMIT / 1024} KB`);
      }
      const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      if (part.fieldname === 'payload_json') payloadJson = value;
      else if (['content', 'text', 'username'].includes(part.fieldname)) {
        fields[part.fieldname] = value;
      }
    }
    const payload =
      payloadJson === undefined ? fields : await parseJson(request, payloadJson, 'payload_json');
    return { payload, files };
  } catch (error) {
    await Promise.all(files.map((f) => f.discard()));
    throw readError(error, maxBytes);
  }
}
