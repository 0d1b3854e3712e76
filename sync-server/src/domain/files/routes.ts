import { tmpdir } from 'node:os';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
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
import { MEDIA_COOKIE, setMediaCookie } from './media-cookie.ts';
import { toAttachment } from './queries.ts';
import { checkQuota, usedBytes } from './quota.ts';
import { spoolUpload } from './receive.ts';
import { sendFile } from './serve.ts';
import { storeUpload } from './store.ts';

export interface FileRoutesOptions {
  storage: FileStorage;
  /** Where uploads are spooled while they are checked. */
  tmpDir?: string;
}

/** Uploads per user per minute: a drained offline queue fits, a disk-filling loop does not. */
export const UPLOADS_PER_MINUTE = 120;

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
      const quota = app.config.uploadQuotaBytes;
      // A user already at their quota is refused before a byte is spooled.
      if (quota > 0) checkQuota(await usedBytes(app.db, request.user.id), 1, quota);
      const spooled = await spoolUpload(request, tmpDir, app.config.maxUploadBytes);
      try {
        const row = await storeUpload(app.db, storage, request.user.id, spooled, quota);
        return reply.status(201).send({ file: toAttachment(row) } satisfies UploadResponse);
      } finally {
        await spooled.discard();
      }
    },
  );

  const sessionSchema = {
    description: 'Sets the httpOnly media cookie (from the bearer token) that file URLs need',
    response: { 204: Type.Null() },
  };
  app.post(
    '/files/session',
    { preHandler: app.authenticate, schema: sessionSchema },
    async (request, reply) => {
      const token = request.headers.authorization?.slice(7).trim() ?? '';
      // The token inside expires on its own; the cookie needs no longer life.
      setMediaCookie(request, reply, token, app.config.accessTtlSeconds);
      return reply.status(204).send(null);
    },
  );

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
