import { SignJWT } from 'jose';
import { AppError, Permission, canConnect, canSee, has } from '@echora/shared';
import {
  VOICE_GRANT_AUDIENCE,
  VOICE_GRANT_ISSUER,
  VOICE_GRANT_TTL_S,
  type VoicePerms,
} from '@echora/shared/voice/index';
import type { Access } from '../permissions/access.ts';

/**
 * What `userId` may do in voice channel `channelId`, or the typed error that
 * says why not: `not_found` for a channel they cannot see (its existence is
 * not revealed), `invalid` for a text channel, `forbidden` without connect.
 */
export function voicePermsFor(access: Access, userId: string, channelId: string): VoicePerms {
  const channel = access.data.channels.get(channelId);
  const perms = access.channel(userId, channelId);
  if (!channel || !canSee(perms)) throw new AppError('not_found', 'No such channel');
  if (channel.kind !== 'voice') throw new AppError('invalid', 'That is not a voice channel');
  if (!canConnect(perms))
    throw new AppError('forbidden', 'You may not connect to this voice channel');
  return {
    speak: has(perms, Permission.speak),
    stream: has(perms, Permission.stream),
    moderate: has(perms, Permission.muteMembers),
  };
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
