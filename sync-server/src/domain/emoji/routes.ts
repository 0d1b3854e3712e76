import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  AppError,
  COMMUNITY_SCOPE,
  emojiNameProblem,
  has,
  Permission,
  Uuid,
  type Emoji,
} from '@echora/shared';
import { checkEmojiImage } from './image.ts';
import { EMOJI_COLUMNS, emojiImage, toEmoji, type EmojiRow } from './store.ts';

const uploadQuery = Type.Object({ name: Type.String({ maxLength: 64 }) });
const idParams = Type.Object({ id: Uuid });

/** Fastify answers 413 past this; between the emoji cap and this, the answer says the cap. */
const BODY_LIMIT = 1024 * 1024;
/** Emoji ids are never reused, so an image never changes under its URL. */
const CACHE = 'public, max-age=31536000, immutable';

/**
 * Custom emoji: `POST /api/emoji?name=<name>` (the image as the raw body),
 * `DELETE /api/emoji/:id` (both need manage community), and the public
 * `GET /api/emoji/:id` that serves the image. Changes replicate as `emoji`
 * entities in the community scope.
 */
export function emojiRoutes(api: FastifyInstance, _options: unknown, done: () => void): void {
  // Raw bytes whatever the Content-Type says: the type is sniffed, never trusted.
  api.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  async function requireManager(request: FastifyRequest): Promise<void> {
    const access = await api.sync.deps.access.get();
    if (!has(access.base(request.user.id), Permission.manageCommunity)) {
      throw new AppError('forbidden', 'You need the manage community permission.');
    }
  }

  api.post<{ Querystring: Static<typeof uploadQuery> }>(
    '/emoji',
    { preHandler: api.authenticate, schema: { querystring: uploadQuery }, bodyLimit: BODY_LIMIT },
    async (request, reply): Promise<{ emoji: Emoji }> => {
      await requireManager(request);
      const { name } = request.query;
      const problem = emojiNameProblem(name);
      if (problem) throw new AppError('invalid', problem);
      const body = request.body;
      if (!(body instanceof Uint8Array))
        throw new AppError('invalid', 'file: send the image bytes');
      const image = await checkEmojiImage(body);
      const emoji = await api.writer.commitAndPublish(async (tx, changes) => {
        const { rows } = await tx.query<EmojiRow>(
          `INSERT INTO emojis (id, name, content_type, data, animated, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING ${EMOJI_COLUMNS}`,
          [crypto.randomUUID(), name, image.contentType, body, image.animated, request.user.id],
        );
        const row = rows[0];
        if (!row) throw new AppError('conflict', `name: :${name}: is already taken`);
        const created = toEmoji(row);
        await changes.append(tx, COMMUNITY_SCOPE, [
          { op: 'upsert', entity: 'emoji', id: created.id, data: created },
        ]);
        return created;
      });
      return reply.status(201).send({ emoji });
    },
  );

  api.delete<{ Params: Static<typeof idParams> }>(
    '/emoji/:id',
    { preHandler: api.authenticate, schema: { params: idParams } },
    async (request, reply) => {
      await requireManager(request);
      await api.writer.commitAndPublish(async (tx, changes) => {
        const { rows } = await tx.query('DELETE FROM emojis WHERE id = $1 RETURNING id', [
          request.params.id,
        ]);
        if (rows.length === 0) throw new AppError('not_found', 'No such emoji.');
        await changes.append(tx, COMMUNITY_SCOPE, [
          { op: 'delete', entity: 'emoji', id: request.params.id },
        ]);
      });
      return reply.status(204).send();
    },
  );

  api.get<{ Params: Static<typeof idParams> }>(
    '/emoji/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const image = await emojiImage(api.db, request.params.id);
      if (!image) throw new AppError('not_found', 'No such emoji.');
      return reply
        .header('content-type', image.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .header('cache-control', CACHE)
        .send(Buffer.from(image.data));
    },
  );

  done();
}
