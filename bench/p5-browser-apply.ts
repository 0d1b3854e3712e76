/// <reference lib="dom" />
/**
 * Runs inside Chromium for P5 (bundled into an IIFE named `P5Browser`): the
 * same catch-up as P5 (a) — `changes` frames of 200 messages through the
 * app's `applyChanges` — into the app's replica code on the browser's real
 * IndexedDB, against a raw `bulkPut` of the same rows in the same page.
 */
import {
  channelScope,
  emptyMessageExtras,
  newId,
  type ChangesDown,
  type Message,
} from '@echora/shared';
import { applyChanges } from '../client/src/sync/apply.ts';
import { confirmed, createReplica } from '../client/src/sync/replica.ts';

const CHUNK = 200;

/** Returns ms for the app's catch-up (`value`) and for the raw writes (`base`). */
export async function run(count: number): Promise<{ value: number; base: number }> {
  const channelId = newId();
  const authorId = newId();
  const at = Date.now() - count * 1000;
  const rows: Message[] = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    channelId,
    authorId,
    content: `missed message ${i} ${'x'.repeat(100)}`,
    seq: i + 1,
    createdAt: new Date(at + i * 1000).toISOString(),
    editedAt: null,
    ...emptyMessageExtras(),
  }));
  const frames: ChangesDown[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    frames.push({
      type: 'changes',
      scope: channelScope(channelId),
      from: i,
      to: i + part.length,
      changes: part.map((m) => ({ op: 'upsert', entity: 'message', version: m.seq, data: m })),
    });
  }
  const rawName = `p5-raw-${newId()}`;
  const raw = createReplica(rawName);
  let t = performance.now();
  for (let i = 0; i < rows.length; i += CHUNK)
    await raw.messages.bulkPut(rows.slice(i, i + CHUNK).map(confirmed));
  const base = performance.now() - t;
  raw.close();
  const appName = `p5-app-${newId()}`;
  const replica = createReplica(appName);
  t = performance.now();
  for (const frame of frames) {
    const outcome = await applyChanges(replica, frame, { userId: 'p5' });
    if (outcome !== 'applied') throw new Error(`P5: frame ${frame.from} was ${outcome}`);
  }
  const value = performance.now() - t;
  const held = await replica.messages.count();
  replica.close();
  for (const name of [rawName, appName]) indexedDB.deleteDatabase(name);
  if (held !== count) throw new Error(`P5: replica holds ${held}/${count}`);
  return { value, base };
}
