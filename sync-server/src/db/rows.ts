import type { Queryable, Row } from './types.ts';

/** Rows of a query, typed by the caller. */
export async function many<R extends Row>(
  db: Queryable,
  sql: string,
  params?: readonly unknown[],
): Promise<R[]> {
  return (await db.query<R>(sql, params)).rows;
}

/** The first row of a query, or undefined when there is none. */
export async function maybeOne<R extends Row>(
  db: Queryable,
  sql: string,
  params?: readonly unknown[],
): Promise<R | undefined> {
  return (await db.query<R>(sql, params)).rows[0];
}

/** The one row a query must return; throws (a bug) when it returns none. */
export async function one<R extends Row>(
  db: Queryable,
  sql: string,
  params?: readonly unknown[],
): Promise<R> {
  const row = await maybeOne<R>(db, sql, params);
  if (!row) throw new Error(`Expected one row from: ${sql.slice(0, 80)}`);
  return row;
}
