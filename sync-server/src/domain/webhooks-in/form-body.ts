import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@echora/shared';

/**
 * The largest form-encoded body a webhook takes: a Slack payload is at most
 * a few thousand characters of text and 50 blocks, tripled by URL encoding.
 */
export const FORM_BODY_LIMIT = 256 * 1024;

/**
 * Fastify's own JSON parser (prototype poisoning refused) for JSON that
 * arrives inside another body: a refusal is `invalid`, naming `field`.
 */
export function jsonParser(
  app: FastifyInstance,
): (request: FastifyRequest, text: string, field: string) => Promise<unknown> {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (request, text, field) =>
    new Promise((resolve, reject) => {
      void parse(request, text, (error, value) => {
        if (error) reject(new AppError('invalid', `${field}: not valid JSON`));
        else resolve(value);
      });
    });
}

/**
 * Accepts Slack's form-encoded post (`payload=<JSON>`, what Slack's own
 * tools and many older scripts send) on the routes of `app`: the body
 * becomes the JSON inside, so the route's schema checks it like a JSON post.
 * A form without `payload`, or with a `payload` that is not JSON, is 400; a
 * body over {@link FORM_BODY_LIMIT} is 413.
 */
export function acceptSlackForm(app: FastifyInstance): void {
  const parseJson = jsonParser(app);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    async (request: FastifyRequest, body: string) => {
      const payload = new URLSearchParams(body).get('payload');
      if (payload === null) {
        throw new AppError('invalid', 'payload: a form-encoded post needs a `payload` JSON field');
      }
      return parseJson(request, payload, 'payload');
    },
  );
}
