import { pino, type Logger, type LoggerOptions } from 'pino';
import { PinoPretty } from 'pino-pretty';

/** `/api/webhooks/<id>/<token>` → `/api/webhooks/<id>/[redacted]`: the path holds a secret. */
export function redactUrl(url: string): string {
  return url.replace(/^(\/api\/webhooks\/[^/?#]+\/)[^/?#]+/, '$1[redacted]');
}

/**
 * What every logger of the server hides: credentials in headers (a person's
 * or a bot's `Authorization`, a webhook's `X-Webhook-Token`, cookies) and the
 * token in an incoming webhook's URL.
 */
export const redaction: Pick<LoggerOptions, 'redact' | 'serializers'> = {
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers["x-webhook-token"]',
      'req.headers.cookie',
      'headers.authorization',
      'headers["x-webhook-token"]',
    ],
    censor: '[redacted]',
  },
  serializers: {
    req: (req: { method?: string; url?: string; hostname?: string; ip?: string }) => ({
      method: req.method,
      url: req.url === undefined ? undefined : redactUrl(req.url),
      host: req.hostname,
      remoteAddress: req.ip,
    }),
  },
};

/**
 * The server's logger: JSON lines for log collectors when stdout is a pipe or
 * a file, readable colored lines (pino-pretty, written synchronously so
 * nothing is lost on exit) when a person is watching a terminal.
 */
export function createLogger(level: string, terminal = process.stdout.isTTY): Logger {
  if (!terminal) return pino({ level, ...redaction });
  const pretty = PinoPretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    sync: true,
  });
  return pino({ level, ...redaction }, pretty);
}
