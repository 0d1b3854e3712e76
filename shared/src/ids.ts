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
