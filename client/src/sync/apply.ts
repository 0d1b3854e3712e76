import {
  channelScope,
  COMMUNITY_SCOPE,
  parseScope,
  type Change,
  type ChangesDown,
  type HistoryDown,
  type ResetDown,
} from '@echora/shared';
import { entityKey, touches, type ApplyContext, type EntityRef } from './optimistic.ts';
import { hasMoreKey, purgeChannel } from './purge.ts';
import { applyServerRows, rebaseTables, recompute, type ServerRow } from './rebase.ts';
import { confirmed, ENTITY_KINDS, ENTITY_SCOPE, type EntityKind, type Replica } from './replica.ts';

/*
 * Inbound feed frames applied to the replica, each in one transaction so the
 * view and its cursor always agree.
 */

export { hasMoreKey };

const allTables = (r: Replica) => [...rebaseTables(r), r.cursors, r.kv];

/** The version the replica holds for a scope (0: nothing yet). */
export async function cursorOf(r: Replica, scope: string): Promise<number> {
  return (await r.cursors.get(scope))?.version ?? 0;
}

/** Every cursor, as the `auth` frame sends them. */
export async function allCursors(r: Replica): Promise<Record<string, number>> {
  const cursors: Record<string, number> = {};
  for (const { scope, version } of await r.cursors.toArray()) cursors[scope] = version;
  return cursors;
}

function toServerRow(change: Change, scope: string): ServerRow {
  if (change.op === 'delete')
    return { ref: { entity: change.entity, id: change.id, scope }, row: null };
  if (change.entity === 'message') {
    return {
      ref: { entity: 'message', id: change.data.id, scope: channelScope(change.data.channelId) },
      row: confirmed(change.data),
    };
  }
  const scopeOf = ENTITY_SCOPE[change.entity] === 'community' ? COMMUNITY_SCOPE : scope;
  return { ref: { entity: change.entity, id: change.data.id, scope: scopeOf }, row: change.data };
}

const kindsIn = (scope: 'community' | 'channel' | 'user'): EntityKind[] =>
  ENTITY_KINDS.filter((entity) => ENTITY_SCOPE[entity] === scope);

/** Acked entries whose change the replica now holds stop shaping the view. */
async function settleAcked(r: Replica, scope: string, version: number, ctx: ApplyContext) {
  const settled = await r.outbox
    .where('acked.scope')
    .equals(scope)
    .filter((e) => (e.acked?.version ?? Infinity) <= version)
    .toArray();
  if (settled.length === 0) return;
  await r.outbox.bulkDelete(settled.map((e) => e.id ?? 0));
  await recompute(r, settled.flatMap(touches), ctx);
}

export type ChangesOutcome = 'applied' | 'stale' | 'gap';

/**
 * Applies a `changes` frame when it continues the local cursor. A frame the
 * replica already holds is `stale`; one that starts past the cursor is a
 * `gap`, and the caller reconnects to catch up.
 */
export async function applyChanges(
  r: Replica,
  frame: ChangesDown,
  ctx: ApplyContext,
  dropped?: number[],
): Promise<ChangesOutcome> {
  return (await applyChangesBatch(r, [frame], ctx, dropped)).outcome;
}

/**
 * Applies `changes` frames in order in one transaction: a burst that queued
 * up while the app was busy costs one commit and one round of live queries,
 * not one per frame. Stops at the first `gap` (the frames before it stay
 * applied); `applied` counts the frames taken, gap excluded.
 */
export async function applyChangesBatch(
  r: Replica,
  frames: readonly ChangesDown[],
  ctx: ApplyContext,
  dropped?: number[],
): Promise<{ outcome: ChangesOutcome; applied: number }> {
  return r.transaction('rw', allTables(r), async () => {
    let outcome: ChangesOutcome = 'stale';
    let applied = 0;
    for (const frame of frames) {
      const one = await applyOne(r, frame, ctx, dropped);
      if (one === 'gap') return { outcome: 'gap', applied };
      applied++;
      if (one === 'applied') outcome = 'applied';
    }
    return { outcome, applied };
  });
}

/** One frame of {@link applyChangesBatch}, inside its transaction. */
async function applyOne(
  r: Replica,
  frame: ChangesDown,
  ctx: ApplyContext,
  dropped: number[] | undefined,
): Promise<ChangesOutcome> {
  const cursor = await cursorOf(r, frame.scope);
  if (frame.to <= cursor) return 'stale';
  if (frame.from > cursor) return 'gap';
  const fresh = frame.changes.filter((c) => c.version > cursor);
  await applyServerRows(
    r,
    fresh.map((c) => toServerRow(c, frame.scope)),
    ctx,
  );
  for (const c of fresh) {
    if (c.op === 'delete' && c.entity === 'channel') await purgeChannel(r, c.id, ctx, dropped);
  }
  await r.cursors.put({ scope: frame.scope, version: frame.to });
  await settleAcked(r, frame.scope, frame.to, ctx);
  return 'applied';
}

/**
 * Replaces everything held for a scope with a snapshot. Pending and failed
 * local messages survive: their server state becomes the snapshot's, and the
 * pending mutations are rebased on it.
 */
export async function applyReset(
  r: Replica,
  frame: ResetDown,
  ctx: ApplyContext,
  dropped?: number[],
): Promise<void> {
  const parsed = parseScope(frame.scope);
  if (!parsed) return;
  await r.transaction('rw', allTables(r), async () => {
    const rows = frame.changes.map((c) => toServerRow(c, frame.scope));
    const keep = new Set(rows.map(({ ref }) => entityKey(ref.entity, ref.id)));
    const shadowed = new Set(
      (await r.shadows.where('scope').equals(frame.scope).toArray()).map((s) => s.key),
    );
    // Rows of the scope the snapshot no longer has: gone on the server, unless only local.
    const gone: ServerRow[] = [];
    const consider = (ref: EntityRef) => {
      const key = entityKey(ref.entity, ref.id);
      if (!keep.has(key) && !shadowed.has(key)) gone.push({ ref, row: null });
    };
    // Direct conversations come in the user's own scope, every other channel in the community's.
    const dms = new Set(
      (await r.channels.filter((c) => c.kind === 'dm').primaryKeys()).map((id) =>
        entityKey('channel', id),
      ),
    );
    if (parsed.kind === 'community') for (const key of dms) shadowed.delete(key);
    if (parsed.kind === 'channel') {
      const held = await r.messages.where('channelId').equals(parsed.id).toArray();
      for (const m of held) {
        if (m.status === 'sent') consider({ entity: 'message', id: m.id, scope: frame.scope });
      }
      await r.kv.put({ key: hasMoreKey(parsed.id), value: frame.hasMore });
    } else if (parsed.kind === 'community') {
      for (const c of await r.channels.toArray()) {
        const key = entityKey('channel', c.id);
        if (keep.has(key) || shadowed.has(key) || dms.has(key)) continue;
        gone.push({ ref: { entity: 'channel', id: c.id, scope: frame.scope }, row: null });
        await purgeChannel(r, c.id, ctx, dropped);
      }
      for (const entity of kindsIn('community')) {
        if (entity === 'channel') continue;
        for (const key of await r.tableOf(entity).toCollection().primaryKeys()) {
          consider({ entity, id: key, scope: frame.scope });
        }
      }
    } else {
      for (const entity of kindsIn('user')) {
        for (const key of await r.tableOf(entity).toCollection().primaryKeys()) {
          consider({ entity, id: key, scope: frame.scope });
        }
      }
      for (const key of dms) {
        if (keep.has(key)) continue;
        const id = key.slice('channel:'.length);
        gone.push({ ref: { entity: 'channel', id, scope: frame.scope }, row: null });
        // One started here and not answered yet (the server never had it) keeps its pending messages.
        if ((await r.shadows.get(key))?.row !== null) await purgeChannel(r, id, ctx, dropped);
      }
    }
    // Shadowed entities absent from the snapshot no longer exist on the server.
    const absent: ServerRow[] = [...shadowed]
      .filter((key) => !keep.has(key))
      .map((key) => {
        const [entity, id] = key.split(/:(.*)/s) as [EntityKind, string];
        return { ref: { entity, id, scope: frame.scope }, row: null };
      });
    await applyServerRows(r, [...gone, ...absent, ...rows], ctx);
    await r.cursors.put({ scope: frame.scope, version: frame.version });
    await settleAcked(r, frame.scope, frame.version, ctx);
  });
}

/**
 * The user lost access to a scope: forget its rows and its cursor (and, for
 * a channel, the outbox entries aimed at it: see {@link purgeChannel}).
 */
export async function applyRevoke(
  r: Replica,
  scope: string,
  ctx: ApplyContext,
  dropped?: number[],
): Promise<void> {
  const parsed = parseScope(scope);
  if (!parsed) return;
  await r.transaction('rw', allTables(r), async () => {
    // Acked changes in the scope will never arrive now; they must stop shaping the view.
    if (parsed.kind === 'community') await r.outbox.where('acked.scope').above('').delete();
    else await r.outbox.where('acked.scope').equals(scope).delete();
    if (parsed.kind === 'channel') {
      await purgeChannel(r, parsed.id, ctx, dropped);
      await r.channels.delete(parsed.id);
      return;
    }
    if (parsed.kind === 'community') {
      for (const table of r.viewTables()) await table.clear();
      await r.shadows.clear();
      await r.cursors.clear();
      return;
    }
    for (const entity of kindsIn('user')) await r.tableOf(entity).clear();
    await r.shadows.where('scope').equals(scope).delete();
    await r.cursors.delete(scope);
  });
}

/**
 * Adds a page of older messages. Rows already held are kept: they came through
 * the feed, which is never older than a history page.
 */
export async function applyHistory(r: Replica, frame: HistoryDown): Promise<void> {
  await r.transaction('rw', [r.messages, r.shadows, r.kv], async () => {
    const ids = frame.messages.map((m) => m.id);
    const held = await r.messages.bulkGet(ids);
    const shadows = await r.shadows.bulkGet(ids.map((id) => entityKey('message', id)));
    const fresh = frame.messages.filter((_, i) => !held[i] && !shadows[i]).map(confirmed);
    await r.messages.bulkPut(fresh);
    await r.kv.put({ key: hasMoreKey(frame.channelId), value: frame.hasMore });
  });
}
