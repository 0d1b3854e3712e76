import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The cookie that carries the access token to `/api/files/*` only, so that
 * `<img src>`, `<video src>` and downloads work without a token in the URL.
 */
export const MEDIA_COOKIE = 'echora_media';
const MEDIA_PATH = '/api/files';

/** Sets the media cookie to `token` for `maxAgeSeconds` (the token's own lifetime). */
export function setMediaCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeSeconds: number,
): void {
  reply.setCookie(MEDIA_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: MEDIA_PATH,
    maxAge: maxAgeSeconds,
  });
}

/** Removes the media cookie (on logout: the access token in it must not outlive the session here). */
export function clearMediaCookie(reply: FastifyReply): void {
  reply.clearCookie(MEDIA_COOKIE, { path: MEDIA_PATH });
}
