import { Type } from 'typebox';
import { webhookPostSchema } from '@echora/shared/protocol/rest/bots';

/*
 * The form and multipart schemas document the body for the API document
 * only: they name no `type`, so Fastify's check passes whatever arrives (a
 * multipart body is not read before the handler), and the handler checks
 * the payload against `webhookPostSchema` whichever way it came.
 */
const formSchema = Type.Unsafe<unknown>({
  description:
    'Slack’s form-encoded post: the JSON payload (as `application/json` takes it) in `payload`',
  properties: { payload: { type: 'string', description: 'The payload as JSON' } },
});

const multipartSchema = Type.Unsafe<unknown>({
  description:
    'Discord’s multipart post: the JSON payload in `payload_json` (or plain `content`/`text` ' +
    'fields) and up to 10 files in `files[0]` … `files[9]`, each under the upload size limit ' +
    '(`MAX_UPLOAD_MB`), type sniffed from its bytes, counted in the webhook’s upload quota. ' +
    'With files, the text may be blank. URLs in the payload (`avatar_url`, embed images) ' +
    'are never fetched.',
  properties: {
    payload_json: { type: 'string', description: 'The payload as JSON' },
    content: { type: 'string' },
    'files[0]': { type: 'string', format: 'binary' },
    'files[1]': { type: 'string', format: 'binary' },
  },
});

/** A webhook post's body by media type: JSON, Slack's form, Discord's multipart form. */
export const webhookBodySchema = {
  content: {
    'application/json': { schema: webhookPostSchema },
    'application/x-www-form-urlencoded': { schema: formSchema },
    'multipart/form-data': { schema: multipartSchema },
  },
};
