import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  CONTROL_CHARACTERS_MESSAGE,
  ErrorKind,
  httpStatus,
  MULTI_LINE_PATTERN,
  SINGLE_LINE_PATTERN,
  type WireError,
} from '@echora/shared';
import { isUnstorableText } from '../db/errors.ts';

const kindByStatus: Record<number, ErrorKind> = {
  400: ErrorKind.invalid,
  401: ErrorKind.unauthorized,
  403: ErrorKind.forbidden,
  404: ErrorKind.not_found,
  409: ErrorKind.conflict,
  413: ErrorKind.too_large,
  415: ErrorKind.invalid,
  429: ErrorKind.rate_limited,
};

type ValidationItem = NonNullable<FastifyError['validation']>[number];

/** "body.username is required", "body.password must be string". */
function describeValidation(context: string | undefined, item: ValidationItem): string {
  const path = item.instancePath.replace(/^\//, '').replaceAll('/', '.');
  // Ajv names one missing property, TypeBox lists them all.
  const params = item.params as {
    missingProperty?: unknown;
    requiredProperties?: unknown;
    pattern?: unknown;
  };
  const missing = Array.isArray(params.requiredProperties)
    ? params.requiredProperties.map(String)
    : typeof params.missingProperty === 'string'
      ? [params.missingProperty]
      : [];
  if (item.keyword === 'required' && missing.length > 0) {
    const names = missing.map((name) => [context, path, name].filter(Boolean).join('.'));
    return `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} required`;
  }
  // The text rules' regexes say nothing to a user (the same words as the socket's validator).
  const textRule =
    item.keyword === 'pattern' &&
    (params.pattern === SINGLE_LINE_PATTERN || params.pattern === MULTI_LINE_PATTERN);
  const what = textRule ? CONTROL_CHARACTERS_MESSAGE : (item.message ?? 'is invalid');
  return `${[context, path].filter(Boolean).join('.') || 'value'} ${what}`;
}

function send(reply: FastifyReply, status: number, error: WireError): FastifyReply {
  if (error.retryAfterMs !== undefined) {
    reply.header('retry-after', Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  }
  return reply.status(status).send({ error });
}

/** Turns any thrown error into a wire error; unexpected ones become a bare `internal`. */
export function toWireError(error: unknown): { status: number; wire: WireError } {
  if (error instanceof AppError) return { status: httpStatus[error.kind], wire: error.toWire() };
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation?.[0]) {
    const message = describeValidation(fastifyError.validationContext, fastifyError.validation[0]);
    return { status: 400, wire: { kind: ErrorKind.invalid, message } };
  }
  // A string Postgres cannot store (NUL) in a field no schema checked: the client's mistake.
  if (isUnstorableText(error)) {
    return {
      status: 400,
      wire: {
        kind: ErrorKind.invalid,
        message: 'A text field holds a character that cannot be stored.',
      },
    };
  }
  const status = fastifyError.statusCode ?? 500;
  const kind = kindByStatus[status];
  if (status >= 400 && status < 500 && kind) {
    // Fastify's own 4xx messages (bad JSON, body too large) say nothing secret.
    return { status, wire: { kind, message: fastifyError.message ?? kind } };
  }
  return { status: 500, wire: { kind: ErrorKind.internal, message: 'Internal server error' } };
}

/**
 * One error handler for the whole app: every failure leaves as
 * `{ error: { kind, message } }`; 5xx details go to the log only.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, wire } = toWireError(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return send(reply, status, wire);
  });
}

/** The 404 for unknown API routes (the static plugin answers non-API GETs first). */
export function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return send(reply, 404, {
    kind: ErrorKind.not_found,
    message: `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found`,
  });
}
