import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

export const toBase64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');
export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** A y-protocols sync message, read without touching any document. */
export type SyncMessage =
  { kind: 'step1'; stateVector: Uint8Array } | { kind: 'step2' | 'update'; update: Uint8Array };

/** Reads a sync message; undefined when it is not one (or has trailing bytes). */
export function readSync(data: Uint8Array): SyncMessage | undefined {
  try {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (decoding.hasContent(decoder)) return undefined;
    if (type === 0) {
      Y.decodeStateVector(payload);
      return { kind: 'step1', stateVector: payload };
    }
    if (type !== 1 && type !== 2) return undefined;
    return { kind: type === 1 ? 'step2' : 'update', update: payload };
  } catch {
    return undefined;
  }
}

/** Whether a Yjs update is well formed; `empty` when it carries nothing. */
export function inspectUpdate(update: Uint8Array): 'invalid' | 'empty' | 'changes' {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    return structs.length === 0 && ds.clients.size === 0 ? 'empty' : 'changes';
  } catch {
    return 'invalid';
  }
}

function message(type: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export const step1Message = (doc: Y.Doc): Uint8Array => message(0, Y.encodeStateVector(doc));
export const step2Message = (doc: Y.Doc, stateVector: Uint8Array): Uint8Array =>
  message(1, Y.encodeStateAsUpdate(doc, stateVector));
export const updateMessage = (update: Uint8Array): Uint8Array => message(2, update);

/** One client's entry of an awareness update. */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

/** Reads an awareness update; undefined when malformed or over `maxEntries`. */
export function readAwareness(data: Uint8Array, maxEntries: number): AwarenessEntry[] | undefined {
  try {
    const decoder = decoding.createDecoder(data);
    const count = decoding.readVarUint(decoder);
    if (count > maxEntries) return undefined;
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = JSON.parse(decoding.readVarString(decoder)) as unknown;
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) return undefined;
      entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    return decoding.hasContent(decoder) ? undefined : entries;
  } catch {
    return undefined;
  }
}

export function writeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(encoder, e.clientId);
    encoding.writeVarUint(encoder, e.clock);
    encoding.writeVarString(encoder, JSON.stringify(e.state));
  }
  return encoding.toUint8Array(encoder);
}
