import { v7 as uuidv7, validate, version } from 'uuid';

/** A new UUIDv7: time-ordered, made on the device that creates the thing. */
export function newId(): string {
  return uuidv7();
}

/** True for any canonical UUID string (clients may make ids with other libraries). */
export function isUuid(value: string): boolean {
  return validate(value);
}

/** True for a UUIDv7 string. */
export function isUuidV7(value: string): boolean {
  return validate(value) && version(value) === 7;
}

/** The single community of an installation has a fixed scope name. */
export const COMMUNITY_SCOPE = 'community';

/** Scopes: the community, one per channel, one per user. */
export type Scope = typeof COMMUNITY_SCOPE | `channel:${string}` | `user:${string}`;

export const channelScope = (channelId: string): Scope => `channel:${channelId}`;
export const userScope = (userId: string): Scope => `user:${userId}`;

/** Parses a scope string; undefined when it is not one. */
export function parseScope(
  scope: string,
): { kind: 'community' } | { kind: 'channel' | 'user'; id: string } | undefined {
  if (scope === COMMUNITY_SCOPE) return { kind: 'community' };
  const m = /^(channel|user):(.+)$/.exec(scope);
  if (!m?.[1] || !m[2] || !isUuid(m[2])) return undefined;
  return { kind: m[1] as 'channel' | 'user', id: m[2] };
}

const FNV_PRIME = 0x0000000001000000000000000000013bn;
const FNV_OFFSET = 0x6c62272e07bb014262b821756160295dn;
const MASK_128 = (1n << 128n) - 1n;

/**
 * The id of the 1:1 conversation between two users: the same for both,
 * whoever starts it and in whichever order, so two devices that start it
 * offline at once make the same row (the server's insert is idempotent). A
 * 128-bit FNV-1a of the sorted ids, stamped as a version 8 UUID so it never
 * equals a UUIDv7 made for a channel. User ids are given by the server, so
 * no one can pick a pair that collides with another pair.
 */
export function dmId(userA: string, userB: string): string {
  const [a, b] = [userA.toLowerCase(), userB.toLowerCase()].sort();
  let hash = FNV_OFFSET;
  for (const ch of `${a}:${b}`) {
    hash ^= BigInt(ch.charCodeAt(0));
    hash = (hash * FNV_PRIME) & MASK_128;
  }
  const hex = hash.toString(16).padStart(32, '0').split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
