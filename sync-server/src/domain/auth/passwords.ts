import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

// OWASP's Argon2id baseline. argon2 hashes on libuv's thread pool, so the
// event loop keeps serving while a hash runs.
const OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** An Argon2id hash of `password`, salt and parameters included. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

/** True when `password` matches `hash`; false for any malformed hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time a real check would for a user that does not exist, so
 * response times do not tell which usernames are taken.
 */
export async function verifyDummyPassword(password: string): Promise<void> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummy, password);
}
