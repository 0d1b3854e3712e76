import type { FastifyInstance } from 'fastify';
import { AppError, isEmptyQuery, parseQuery } from '@echora/shared';
import {
  searchQuerySchema,
  type SearchQueryString,
  type SearchResponse,
} from '@echora/shared/protocol/rest/search';
import { KeyedLimiter } from '../../limits/token-bucket.ts';
import { decodeCursor, findMessages } from './find.ts';

/** Searches per user per minute on one node: typing with the client's debounce stays well under. */
export const SEARCHES_PER_MINUTE = 60;

/**
 * `GET /api/search?q=&cursor=`: messages the caller may see that match `q`
 * (the query language of `shared/src/search/query.ts`), best first, paged by
 * an opaque cursor. A malformed query is a typed 400 naming the part.
 */
export function searchRoutes(api: FastifyInstance, _options: unknown, done: () => void): void {
  const limiter = new KeyedLimiter(SEARCHES_PER_MINUTE, 60_000);
  api.get<{ Querystring: SearchQueryString }>(
    '/search',
    { preHandler: api.authenticate, schema: { querystring: searchQuerySchema } },
    async (request): Promise<SearchResponse> => {
      const parsed = parseQuery(request.query.q);
      if (!parsed.ok) throw new AppError('invalid', parsed.error);
      if (isEmptyQuery(parsed.query)) throw new AppError('invalid', 'q: search for something');
      const cursor = request.query.cursor === undefined ? null : decodeCursor(request.query.cursor);
      const wait = limiter.take(request.user.id);
      if (wait > 0) throw new AppError('rate_limited', 'Searching too fast; wait a moment.', wait);
      const access = await api.sync.deps.access.get();
      const visible = access.visibleChannels(request.user.id);
      return findMessages(api.db, parsed.query, visible, cursor);
    },
  );
  done();
}
