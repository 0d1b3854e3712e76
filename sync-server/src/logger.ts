import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * The server's logger: JSON lines for log collectors when stdout is a pipe or
 * a file, readable colored lines (pino-pretty, written synchronously so
 * nothing is lost on exit) when a person is watching a terminal.
 */
export function createLogger(level: string, terminal = process.stdout.isTTY): Logger {
  if (!terminal) return pino({ level });
  const pretty = PinoPretty({
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    sync: true,
  });
  return pino({ level }, pretty);
}
