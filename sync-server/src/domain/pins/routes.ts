import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { AppError, Uuid, type Message } from '@echora/shared';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../messages/queries.ts';

const params = Type.Object({ id: Uuid });
/** Pins listed per channel, newest pin first. */
const MAX_PINS = 100;

/**
 * `GET /api/channels/:id/pins`: the channel's pinned messages (newest pin
 * first), for whoever may see the channel; others get 404 so it does not leak.
 * The replica holds only a window of history, so the list comes from here.
 */
export function pinRoutes(api: FastifyInstance, _options: unknown, done: () => void): void {
  api.get<{ Params: Static<typeof params> }>(
    '/channels/:id/pins',
    { preHandler: api.authenticate, schema: { params } },
    async (request): Promise<{ messages: Message[] }> => {
      const access = await api.sync.deps.access.get();
      if (!access.canSeeChannel(request.user.id, request.params.id)) {
        throw new AppError('not_found', 'No such channel.');
      }
      const { rows } = await api.db.query<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE channel_id = $1 AND pinned_at IS NOT NULL AND deleted_at IS NULL
         ORDER BY pinned_at DESC LIMIT $2`,
        [request.params.id, MAX_PINS],
      );
      return { messages: rows.map(toMessage) };
    },
  );
  done();
}
