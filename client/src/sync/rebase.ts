import type { Table } from 'dexie';
import {
  applyMutation,
  entityKey,
  touches,
  type ApplyContext,
  type EntityRef,
} from './optimistic.ts';
import type { EntityKind, EntityRow, OutboxEntry, Replica, Shadow } from './replica.ts';

/*
 * The view rows the UI reads are "server state + still-pending mutations".
 * Server state of an entity with pending changes is kept in `shadows`; every
 * function here runs inside a caller's read-write transaction over
 * REBASE_TABLES, so the view never shows a half-applied step.
 */

/** Tables a rebase step reads or writes. */
export const rebaseTables = (r: Replica): Table[] => [...r.viewTables(), r.outbox, r.shadows];

// The view tables differ only in row type; callers pass rows of the matching kind.
const viewTable = (r: Replica, entity: EntityKind): Table<EntityRow, string> => r.tableOf(entity);

/** Records the server state of the touched entities before a local change hides it. */
export async function ensureShadows(r: Replica, refs: EntityRef[]): Promise<void> {
  for (const ref of refs) {
    const key = entityKey(ref.entity, ref.id);
    if (await r.shadows.get(key)) continue;
    const view = (await viewTable(r, ref.entity).get(ref.id)) ?? null;
    // A failed or pending message exists only here, so the server has no row for it.
    const row = view && 'status' in view && view.status !== 'sent' ? null : view;
    await r.shadows.put({ key, entity: ref.entity, id: ref.id, scope: ref.scope, row });
  }
}

/**
 * Rewrites each entity's view as its shadow plus the outbox entries touching
 * it, in order; an entity with nothing pending any more drops its shadow.
 */
export async function recompute(r: Replica, refs: EntityRef[], ctx: ApplyContext): Promise<void> {
  if (refs.length === 0) return;
  const shadows = await r.shadows.bulkGet(refs.map((ref) => entityKey(ref.entity, ref.id)));
  if (shadows.every((s) => s === undefined)) return;
  const keys = shadows.flatMap((s) => (s ? [s.key] : []));
  const entries = await r.outbox.where('keys').anyOf(keys).distinct().sortBy('id');
  const pending = new Map<string, { entry: OutboxEntry; ref: EntityRef }[]>();
  for (const entry of entries) {
    for (const ref of touches(entry)) {
      const key = entityKey(ref.entity, ref.id);
      const list = pending.get(key) ?? [];
      list.push({ entry, ref });
      pending.set(key, list);
    }
  }
  for (const shadow of shadows) {
    if (!shadow) continue;
    const steps = pending.get(shadow.key) ?? [];
    let row = shadow.row;
    for (const { entry, ref } of steps) row = applyMutation(entry, ref, row, ctx);
    await writeView(r, shadow.entity, shadow.id, row);
    if (steps.length === 0) await r.shadows.delete(shadow.key);
  }
}

async function writeView(r: Replica, entity: EntityKind, id: string, row: EntityRow | null) {
  if (row) await viewTable(r, entity).put(row);
  else await viewTable(r, entity).delete(id);
}

/** One entity's new server state (null: deleted). */
export interface ServerRow {
  ref: EntityRef;
  row: EntityRow | null;
}

/**
 * Applies server state in order: straight to the view when nothing is pending
 * for the entity, else to its shadow, then rebases the pending changes on it.
 */
export async function applyServerRows(
  r: Replica,
  rows: ServerRow[],
  ctx: ApplyContext,
): Promise<void> {
  if (rows.length === 0) return;
  const keys = rows.map(({ ref }) => entityKey(ref.entity, ref.id));
  const found = await r.shadows.bulkGet(keys);
  const shadowed = new Map<string, Shadow>();
  for (const s of found) if (s) shadowed.set(s.key, s);
  const direct = new Map<EntityKind, Map<string, EntityRow | null>>();
  rows.forEach(({ ref, row }, i) => {
    const shadow = shadowed.get(keys[i] ?? '');
    if (shadow) {
      shadow.row = row;
      return;
    }
    const byId = direct.get(ref.entity) ?? new Map<string, EntityRow | null>();
    byId.set(ref.id, row);
    direct.set(ref.entity, byId);
  });
  for (const [entity, byId] of direct) {
    const puts = [...byId.values()].filter((row): row is EntityRow => row !== null);
    const deletes = [...byId].filter(([, row]) => row === null).map(([id]) => id);
    if (puts.length > 0) await viewTable(r, entity).bulkPut(puts);
    if (deletes.length > 0) await viewTable(r, entity).bulkDelete(deletes);
  }
  if (shadowed.size === 0) return;
  await r.shadows.bulkPut([...shadowed.values()]);
  await recompute(
    r,
    [...shadowed.values()].map((s) => ({ entity: s.entity, id: s.id, scope: s.scope })),
    ctx,
  );
}
