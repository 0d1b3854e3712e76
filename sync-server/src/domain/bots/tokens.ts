import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BOT_TOKEN_PREFIX } from '@echora/shared/protocol/rest/bots';
import type { Queryable } from '../../db/types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits, base64url: the secret part of a bot or webhook token. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/** What the database keeps instead of a secret. */
export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex');

/** Compares a secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A bot's token: `ebot_<user id>_<secret>`; the id finds the row, the secret proves it. */
export const botToken = (userId: string, secret: string): string =>
  `${BOT_TOKEN_PREFIX}${userId}_${secret}`;

/** The parts of a well-formed bot token, or undefined. */
export function parseBotToken(token: string): { userId: string; secret: string } | undefined {
  if (!token.startsWith(BOT_TOKEN_PREFIX)) return undefined;
  const rest = token.slice(BOT_TOKEN_PREFIX.length);
  const userId = rest.slice(0, 36);
  const secret = rest.slice(37);
  if (!UUID.test(userId) || rest[36] !== '_' || !SECRET.test(secret)) return undefined;
  return { userId, secret };
}

/** True when `token` looks like a bot token (so a JWT check is not tried on it). */
export const isBotToken = (token: string): boolean => token.startsWith(BOT_TOKEN_PREFIX);

/** The bot user a token belongs to while it is valid (not rotated, bot not deleted), or null. */
export async function verifyBotToken(db: Queryable, token: string): Promise<string | null> {
  const parts = parseBotToken(token);
  if (!parts) return null;
  const { rows } = await db.query<{ token_hash: string }>(
    `SELECT t.token_hash FROM bot_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.user_id = $1 AND u.bot = 'bot'`,
    [parts.userId],
  );
  const row = rows[0];
  return row && secretMatches(parts.secret, row.token_hash) ? parts.userId : null;
}
