import { Type, type Static } from 'typebox';
import { messageSchema, Uuid } from '../entities.ts';

/** `GET /api/search?q=&cursor=`: `q` in the query language of `shared/src/search/query.ts`. */
export const searchQuerySchema = Type.Object(
  {
    // The parser gives the precise reason; this only bounds what it reads.
    q: Type.String({ maxLength: 1024 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type SearchQueryString = Static<typeof searchQuerySchema>;

/** Text of a result with the matching terms marked; rendered as text, never as HTML. */
export const snippetPartSchema = Type.Object({ text: Type.String(), hit: Type.Boolean() });

export const searchResultSchema = Type.Object({
  message: messageSchema,
  snippet: Type.Array(snippetPartSchema),
});
export type SearchResult = Static<typeof searchResultSchema>;

/** Best match first; `nextCursor` fetches the next page, null at the end. */
export const searchResponseSchema = Type.Object({
  results: Type.Array(searchResultSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type SearchResponse = Static<typeof searchResponseSchema>;

/** `GET /api/channels/:id/messages?around=<messageId>`: the history around one message. */
export const aroundQuerySchema = Type.Object(
  {
    around: Uuid,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

/** Oldest first, the target among them; whether more exist on either side. */
export const aroundResponseSchema = Type.Object({
  messages: Type.Array(messageSchema),
  hasBefore: Type.Boolean(),
  hasAfter: Type.Boolean(),
});
export type AroundResponse = Static<typeof aroundResponseSchema>;
