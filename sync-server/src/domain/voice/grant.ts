import { SignJWT } from 'jose';
import { AppError, Permission, canConnect, canSee, has } from '@echora/shared';
import {
  VOICE_GRANT_AUDIENCE,
  VOICE_GRANT_ISSUER,
  VOICE_GRANT_TTL_S,
  type VoicePerms,
  type VoiceRevokeReason,
} from '@echora/shared/voice/index';
import type { Access } from '../permissions/access.ts';

/**
 * A timed-out member is kept out of voice altogether (as Discord does): a
 * timeout takes speak and stream, and someone who may neither talk nor be
 * talked to has no business listening in. Administrators are not held by it.
 */
function isTimedOut(access: Access, userId: string, now: number): boolean {
  const until = access.member(userId)?.timedOutUntil ?? null;
  return until !== null && until > now && !has(access.base(userId, now), Permission.administrator);
}

const permsOf = (perms: number): VoicePerms => ({
  speak: has(perms, Permission.speak),
  stream: has(perms, Permission.stream),
  moderate: has(perms, Permission.muteMembers),
});

/**
 * What `userId` may do in voice channel `channelId`, or the typed error that
 * says why not: `not_found` for a channel they cannot see (its existence is
 * not revealed), `invalid` for a text channel, `forbidden` without connect or
 * while timed out.
 */
export function voicePermsFor(
  access: Access,
  userId: string,
  channelId: string,
  now = Date.now(),
): VoicePerms {
  const channel = access.data.channels.get(channelId);
  const perms = access.channel(userId, channelId, now);
  if (!channel || !canSee(perms)) throw new AppError('not_found', 'No such channel');
  if (channel.kind !== 'voice') throw new AppError('invalid', 'That is not a voice channel');
  if (!canConnect(perms))
    throw new AppError('forbidden', 'You may not connect to this voice channel');
  if (isTimedOut(access, userId, now))
    throw new AppError('forbidden', 'You are timed out: no voice until it ends');
  return permsOf(perms);
}

/** Whether someone may stay in a voice channel, and with what; or why not. */
export type VoiceAccess =
  { ok: true; perms: VoicePerms } | { ok: false; reason: VoiceRevokeReason };

/**
 * The same rules as {@link voicePermsFor}, for someone already in the
 * channel: what they may do now, or why their session must end.
 */
export function voiceAccess(
  access: Access,
  userId: string,
  channelId: string,
  now = Date.now(),
): VoiceAccess {
  const member = access.data.members.get(userId);
  if (member?.isBanned) return { ok: false, reason: 'banned' };
  if (!member) return { ok: false, reason: 'kicked' };
  const perms = access.channel(userId, channelId, now);
  if (access.data.channels.get(channelId)?.kind !== 'voice' || !canConnect(perms))
    return { ok: false, reason: 'no_access' };
  if (isTimedOut(access, userId, now)) return { ok: false, reason: 'timed_out' };
  return { ok: true, perms: permsOf(perms) };
}

/** Signs a grant for one user, one channel, one SFU node; it lives `VOICE_GRANT_TTL_S`. */
export async function signVoiceGrant(
  secret: string,
  claims: {
    userId: string;
    channelId: string;
    node: string;
    perms: VoicePerms;
    mod?: { mute: boolean; deafen: boolean } | undefined;
  },
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + VOICE_GRANT_TTL_S;
  const token = await new SignJWT({
    iatMs: now,
    ch: claims.channelId,
    node: claims.node,
    perms: claims.perms,
    ...(claims.mod ? { mod: claims.mod } : {}),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setAudience(VOICE_GRANT_AUDIENCE)
    .setIssuer(VOICE_GRANT_ISSUER)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: exp * 1000 };
}
