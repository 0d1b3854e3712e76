import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError, Uuid } from '@echora/shared';
import { aroundQuerySchema, type AroundResponse } from '@echora/shared/protocol/rest/search';
import { messagesAround } from './around.ts';

const params = Type.Object({ id: Uuid });
const AROUND_DEFAULT = 25;

/**
 * `GET /api/channels/:id/messages?around=<messageId>`: the history around one
 * message, for jumping to a search result far back. A channel the caller may
 * not see, and a message not in it, are the same 404.
 */
export function messageRoutes(api: FastifyInstance, _options: unknown, done: () => void): void {
  api.get<{ Params: Static<typeof params>; Querystring: Static<typeof aroundQuerySchema> }>(
    '/channels/:id/messages',
    { preHandler: api.authenticate, schema: { params, querystring: aroundQuerySchema } },
    async (request): Promise<AroundResponse> => {
      const access = await api.sync.deps.access.get();
      if (!access.canSeeChannel(request.user.id, request.params.id)) {
        throw new AppError('not_found', 'No such channel.');
      }
      const { id } = request.params;
      const page = await messagesAround(
        api.db,
        id,
        request.query.around,
        request.query.limit ?? AROUND_DEFAULT,
      );
      if (!page) throw new AppError('not_found', 'around: no such message in this channel');
      return page;
    },
  );
  done();
}
