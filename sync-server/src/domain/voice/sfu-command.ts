import { SignJWT } from 'jose';
import { VOICE_COMMAND_AUDIENCE } from '@echora/shared/voice/index';

const COMMAND_TIMEOUT_MS = 5_000;

/**
 * Posts a command to an SFU node's control route (`<control><path>`), with a
 * short-lived HS256 token signed with the voice secret (audience
 * `echora-sfu-internal`), which the node checks before reading the body.
 * Throws when the node does not answer in time.
 */
export async function postToSfu(
  control: string,
  path: '/internal/moderate' | '/internal/access',
  secret: string,
  body: unknown,
): Promise<Response> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('60s')
    .setAudience(VOICE_COMMAND_AUDIENCE)
    .sign(new TextEncoder().encode(secret));
  return fetch(new URL(path, control), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  });
}
