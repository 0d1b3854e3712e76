import type { Queryable } from '../db/types.ts';

/** A table of the schema as a backup sees it. */
export interface TableInfo {
  name: string;
  /** Columns a row is written with (generated columns are left out). */
  columns: string[];
}

/** Quotes an identifier for SQL. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * The app's tables in the current schema (not `schema_migrations`: restore
 * rebuilds it by migrating), parents before the tables whose foreign keys
 * point at them where the keys allow it (channels and messages point at each
 * other, so restore does not check keys while loading).
 */
export async function listTables(db: Queryable): Promise<TableInfo[]> {
  const tables = await db.query<{ oid: number; name: string; columns: string[] }>(
    `SELECT c.oid::int AS oid, c.relname AS name,
            array(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attgenerated = ''
                  ORDER BY a.attnum) AS columns
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
       AND c.relname <> 'schema_migrations'
     ORDER BY c.relname`,
  );
  const links = await db.query<{ child: number; parent: number }>(
    `SELECT conrelid::int AS child, confrelid::int AS parent FROM pg_constraint
     WHERE contype = 'f' AND conrelid <> confrelid`,
  );
  const parents = new Map<number, number[]>();
  for (const { child, parent } of links.rows) {
    parents.set(child, [...(parents.get(child) ?? []), parent]);
  }
  const ordered: TableInfo[] = [];
  const placed = new Set<number>();
  const byOid = new Map(tables.rows.map((table) => [table.oid, table]));
  const visit = (oid: number, path: Set<number>) => {
    if (placed.has(oid) || !byOid.has(oid)) return;
    if (path.has(oid)) return; // a cycle: any order will do
    path.add(oid);
    for (const parent of parents.get(oid) ?? []) visit(parent, path);
    path.delete(oid);
    placed.add(oid);
    const table = byOid.get(oid);
    if (table) ordered.push({ name: table.name, columns: table.columns });
  };
  for (const table of tables.rows) visit(table.oid, new Set());
  return ordered;
}
