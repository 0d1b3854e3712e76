import { SignJWT, errors, jwtVerify } from 'jose';
import { validator } from '@echora/shared';
import {
  VOICE_GRANT_AUDIENCE,
  VOICE_GRANT_ISSUER,
  VOICE_GRANT_TTL_S,
  voiceGrantClaimsSchema,
  type VoiceGrantClaims,
} from '@echora/shared/voice/index';

export type GrantCheck =
  | { ok: true; claims: VoiceGrantClaims }
  | { ok: false; reason: 'grantInvalid' | 'grantExpired' | 'wrongNode'; message: string };

const checkClaims = validator(voiceGrantClaimsSchema);
const key = (secret: string) => new TextEncoder().encode(secret);

/** Small clock skew between the sync server and this node is forgiven. */
export const CLOCK_TOLERANCE_S = 5;

/**
 * Verifies a voice grant: HS256 signature with the shared secret, audience,
 * issuer, claims shape, a lifetime of at most `VOICE_GRANT_TTL_S`, and that it
 * names this node (`nodeHost` is the host this node answers as).
 */
export async function verifyGrant(
  token: string,
  secret: string,
  nodeHost: string | undefined,
): Promise<GrantCheck> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      audience: VOICE_GRANT_AUDIENCE,
      issuer: VOICE_GRANT_ISSUER,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      return { ok: false, reason: 'grantExpired', message: 'the voice grant expired' };
    return { ok: false, reason: 'grantInvalid', message: 'the voice grant is not valid' };
  }
  const { aud: _aud, iss: _iss, ...rest } = payload as Record<string, unknown>;
  const checked = checkClaims(rest);
  if (!checked.ok) return { ok: false, reason: 'grantInvalid', message: checked.error.message };
  const claims = checked.value;
  // A long-lived grant would outlive a permission change; refuse it even if signed.
  if (claims.exp - claims.iat > VOICE_GRANT_TTL_S)
    return { ok: false, reason: 'grantExpired', message: 'the voice grant lives too long' };
  if (nodeHost !== undefined && hostOf(claims.node) !== nodeHost.toLowerCase())
    return { ok: false, reason: 'wrongNode', message: 'the voice grant is for another node' };
  return { ok: true, claims };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Signs a voice grant as the sync server does (tests and benchmarks use it;
 * the sync server has its own copy so the two processes stay independent).
 */
export async function signGrant(
  claims: Omit<VoiceGrantClaims, 'iat' | 'exp'>,
  secret: string,
  options: { iat?: number; ttlS?: number } = {},
): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlS ?? VOICE_GRANT_TTL_S))
    .setAudience(VOICE_GRANT_AUDIENCE)
    .setIssuer(VOICE_GRANT_ISSUER)
    .sign(key(secret));
}
