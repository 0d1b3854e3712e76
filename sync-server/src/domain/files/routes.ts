import { tmpdir } from 'node:os';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '@echora/shared';
import {
  fileParamsSchema,
  uploadResponseSchema,
  type UploadResponse,
} from '@echora/shared/protocol/rest/files';
import type { FileStorage } from '../../storage/index.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { verifyAccessToken } from '../auth/tokens.ts';
import { readableFile } from './access.ts';
import { toAttachment } from './queries.ts';
import { spoolUpload } from './receive.ts';
import { sendFile } from './serve.ts';
import { storeUpload } from './store.ts';

/**
 * The cookie that carries the access token to `/api/files/*` only, so that
 * `<img src>`, `<video src>` and downloads work without a token in the URL.
 */
export const MEDIA_COOKIE = 'echora_media';
const MEDIA_PATH = '/api/files';

export interface FileRoutesOptions {
  storage: FileStorage;
  /** Where uploads are spooled while they are checked. */
  tmpDir?: string;
}

/** Uploads per user per minute: a drained offline queue fits, a disk-filling loop does not. */
const UPLOADS_PER_MINUTE = 120;

/** `POST /uploads`, `GET /files/:id[/thumb]`, `POST /files/session`. Register under `/api`. */
export const fileRoutes: FastifyPluginAsync<FileRoutesOptions> = async (base, options) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = options;
  const tmpDir = options.tmpDir ?? tmpdir();
  await app.register(fastifyMultipart);
  const uploadLimit = new RateLimiter({ max: UPLOADS_PER_MINUTE, windowMs: 60_000 }, 'uploads');

  /** The user of a Bearer header or, for media elements, of the media cookie. */
  async function mediaUser(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : request.cookies[MEDIA_COOKIE];
    if (!token) throw new AppError('unauthorized', 'Sign in to see files.');
    const claims = await verifyAccessToken(app.config.jwtSecret, token);
    if (!claims) throw new AppError('unauthorized', 'Access token is invalid or expired');
    return claims.userId;
  }

  app.post(
    '/uploads',
    { preHandler: app.authenticate, schema: { response: { 201: uploadResponseSchema } } },
    async (request, reply) => {
      const access = await app.sync.deps.access.get();
      if (!access.member(request.user.id)) throw new AppError('forbidden', 'Not a member.');
      uploadLimit.hit(request.user.id);
      const spooled = await spoolUpload(request, tmpDir, app.config.maxUploadBytes);
      try {
        const row = await storeUpload(app.db, storage, request.user.id, spooled);
        return reply.status(201).send({ file: toAttachment(row) } satisfies UploadResponse);
      } finally {
        await spooled.discard();
      }
    },
  );

  app.post('/files/session', { preHandler: app.authenticate }, async (request, reply) => {
    const token = request.headers.authorization?.slice(7).trim() ?? '';
    reply.setCookie(MEDIA_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      path: MEDIA_PATH,
      // The token inside expires on its own; the cookie needs no longer life.
      maxAge: 15 * 60,
    });
    return reply.status(204).send();
  });

  app.get('/files/:id', { schema: { params: fileParamsSchema } }, async (request, reply) => {
    const userId = await mediaUser(request);
    const file = await readableFile(app.db, app.sync.deps.access, userId, request.params.id);
    return sendFile(reply, storage, file, false);
  });

  app.get('/files/:id/thumb', { schema: { params: fileParamsSchema } }, async (request, reply) => {
    const userId = await mediaUser(request);
    const file = await readableFile(app.db, app.sync.deps.access, userId, request.params.id);
    return sendFile(reply, storage, file, true);
  });
};
