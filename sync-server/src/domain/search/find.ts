import { AppError, snippet, type SearchQuery } from '@echora/shared';
import type { SearchResponse } from '@echora/shared/protocol/rest/search';
import type { Queryable } from '../../db/types.ts';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../messages/queries.ts';
import { queryTerms, searchTsquery } from './vector.ts';

/** Results per page. */
export const SEARCH_PAGE = 25;

/**
 * A word query ranks the newest this many matches (40 pages): ranking every
 * message that holds a common word took seconds over a million (bench P20).
 */
export const RANKED_MATCHES = 1_000;

/** Where the last page stopped: its last result's rank and id. */
interface Cursor {
  rank: number;
  id: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.id])).toString('base64url');
}

/** A cursor this server made; anything else is the client's mistake. */
export function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      Number.isFinite(value[0]) &&
      typeof value[1] === 'string' &&
      UUID_RE.test(value[1])
    ) {
      return { rank: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the typed error.
  }
  throw new AppError('invalid', 'cursor: not a cursor from this search');
}

/** Builds the WHERE clauses and parameters of a search; `$1` is always the visible channels. */
function conditions(
  query: SearchQuery,
  visible: string[],
): { where: string[]; params: unknown[]; rank: string } {
  const params: unknown[] = [visible];
  const p = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  // Permissions first, in SQL: only live messages of channels the user may see.
  const where = ['m.channel_id = ANY($1::uuid[])', 'm.deleted_at IS NULL'];
  const tsquery = searchTsquery(query);
  let rank = '0::real';
  if (tsquery !== null) {
    const tsq = `${p(tsquery)}::tsquery`;
    where.push(`m.search @@ ${tsq}`);
    rank = `ts_rank(m.search, ${tsq})`;
  }
  if (query.from.length > 0) {
    where.push(
      `m.author_id IN (SELECT id FROM users WHERE lower(username) = ANY(${p(query.from)}::text[]))`,
    );
  }
  if (query.in.length > 0) {
    where.push(
      `m.channel_id IN (SELECT id FROM channels WHERE lower(name) = ANY(${p(query.in)}::text[]))`,
    );
  }
  if (query.mentions.length > 0) {
    where.push(
      `EXISTS (SELECT 1 FROM users u WHERE lower(u.username) = ANY(${p(query.mentions)}::text[])
               AND m.mentions -> 'users' @> to_jsonb(u.id::text))`,
    );
  }
  for (const has of query.has) {
    if (has === 'file') where.push(`jsonb_array_length(m.attachments) > 0`);
    if (has === 'image') {
      where.push(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(m.attachments) a
                 WHERE a ->> 'contentType' LIKE 'image/%')`,
      );
    }
    if (has === 'link') where.push(`m.content ~* 'https?://'`);
  }
  if (query.before !== null) where.push(`m.created_at < ${p(query.before)}::timestamptz`);
  if (query.after !== null) where.push(`m.created_at >= ${p(query.after)}::timestamptz`);
  if (query.pinned !== null) {
    where.push(query.pinned ? 'm.pinned_at IS NOT NULL' : 'm.pinned_at IS NULL');
  }
  return { where, params, rank };
}

/**
 * One page of the messages matching `query` in the channels `visible` (the
 * caller computed them with the permission code), best match first, then
 * newest (ids are UUIDv7), among the newest {@link RANKED_MATCHES} matches. The channel filter is part of the SQL, so nothing
 * of a hidden channel reaches this process: no row, no snippet, no count.
 */
export async function findMessages(
  db: Queryable,
  query: SearchQuery,
  visible: string[],
  cursor: Cursor | null,
): Promise<SearchResponse> {
  if (visible.length === 0) return { results: [], nextCursor: null };
  const { where, params, rank } = conditions(query, visible);
  // Words: only the newest matches are ranked (an index scan from the newest
  // row stops there), not every message holding a common word.
  const candidates = rank === '0::real' ? '' : ` ORDER BY m.id DESC LIMIT ${RANKED_MATCHES}`;
  params.push(cursor?.rank ?? null, cursor?.id ?? null, SEARCH_PAGE + 1);
  const n = params.length;
  const { rows } = await db.query<MessageRow & { rank: number }>(
    `SELECT * FROM (
       SELECT ${MESSAGE_COLUMNS.split(', ')
         .map((c) => `m.${c}`)
         .join(', ')},
              ${rank} AS rank
       FROM (SELECT m.* FROM messages m WHERE ${where.join(' AND ')}${candidates}) m
     ) s
     WHERE $${n - 2}::real IS NULL OR (s.rank, s.id) < ($${n - 2}::real, $${n - 1}::uuid)
     ORDER BY s.rank DESC, s.id DESC LIMIT $${n}`,
    params,
  );
  const terms = queryTerms(query);
  const page = rows.slice(0, SEARCH_PAGE);
  const last = page.at(-1);
  return {
    results: page.map((row) => ({ message: toMessage(row), snippet: snippet(row.content, terms) })),
    nextCursor:
      rows.length > SEARCH_PAGE && last
        ? encodeCursor({ rank: Number(last.rank), id: last.id })
        : null,
  };
}
