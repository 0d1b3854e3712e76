import type { AckDown, MessageSendArgs, MutationName, RejectDown } from '@echora/shared';
import { dmId } from '@echora/shared';
import { cursorOf } from './apply.ts';
import { applyMutation, entityKey, touches, type ApplyContext } from './optimistic.ts';
import { ensureShadows, rebaseTables, recompute } from './rebase.ts';
import * as polls from './mutators/polls.ts';
import { type LocalMessage, type OutboxEntry, type Replica } from './replica.ts';

/*
 * The durable queue of mutations. Wire sequence numbers are handed out when an
 * entry first goes on the wire, in queue order, so an entry discarded before
 * it was ever sent leaves no gap in the sequence the server expects.
 */

/** The kv key of the last sequence number handed out for this clientId. */
export const SEQ_KEY = 'mutationSeq';

/** An outbox entry that has its wire sequence number. */
export type SentEntry = OutboxEntry & { seq: number };

const tables = (r: Replica) => [...rebaseTables(r), r.cursors, r.kv];

/**
 * Queues a mutation and applies it to the view, in one transaction. The
 * transaction starts before this function first yields, so the caller's UI
 * sees the optimistic row as soon as that transaction commits.
 */
export function enqueue(
  r: Replica,
  name: MutationName,
  args: unknown,
  ctx: ApplyContext,
): Promise<OutboxEntry> {
  return r.transaction('rw', tables(r), async () => {
    const entry: OutboxEntry = { name, args, keys: [], createdAt: new Date().toISOString() };
    if (name === 'channel.create') {
      const last = await r.channels.orderBy('position').last();
      entry.local = { position: (last?.position ?? -1) + 1 };
    } else if (
      name === 'message.edit' ||
      name === 'message.delete' ||
      name === 'message.pin' ||
      name === 'reaction.toggle'
    ) {
      const id =
        name === 'reaction.toggle'
          ? (args as { messageId: string }).messageId
          : (args as { id: string }).id;
      const held = (await r.messages.get(id)) ?? (await r.shadows.get(`message:${id}`))?.row;
      if (held && 'channelId' in held) entry.local = { channelId: held.channelId };
    } else if (name === 'poll.vote' || name === 'poll.close') {
      entry.local = await polls.local(r, entry);
    } else if (name === 'dm.open') {
      // Both sides derive the same id, so two offline starts meet in one conversation.
      entry.local = { channelId: dmId(ctx.userId, (args as { userId: string }).userId) };
    }
    const refs = touches(entry);
    entry.keys = refs.map((ref) => entityKey(ref.entity, ref.id));
    await ensureShadows(r, refs);
    entry.id = await r.outbox.add(entry);
    await recompute(r, refs, ctx);
    return entry;
  });
}

/**
 * The next entries to put on the wire: up to `limit` unanswered ones after
 * entry `afterId`, in order, each with its wire seq (handed out now if it has
 * none). `floor` is the server's `nextSeq`: the counter never restarts below it.
 */
export async function nextToSend(
  r: Replica,
  { afterId, limit, floor }: { afterId: number; limit: number; floor: number },
): Promise<SentEntry[]> {
  if (limit <= 0) return [];
  return r.transaction('rw', [r.outbox, r.kv], async () => {
    let counter = Math.max(
      ((await r.kv.get(SEQ_KEY))?.value as number | undefined) ?? 0,
      floor - 1,
    );
    const entries = await r.outbox
      .where('id')
      .above(afterId)
      .filter((e) => !e.acked)
      .limit(limit)
      .toArray();
    const fresh = entries.filter((entry) => entry.seq === undefined);
    for (const entry of fresh) entry.seq = ++counter;
    if (fresh.length > 0) {
      await r.outbox.bulkPut(fresh);
      await r.kv.put({ key: SEQ_KEY, value: counter });
    }
    return entries as SentEntry[];
  });
}

/** How many of the user's mutations still wait for the server (read marks aside). */
export async function pendingCount(r: Replica): Promise<number> {
  // Read marks are bookkeeping the reader did not ask to send: "3 queued" means three things they did.
  return r.outbox.filter((e) => !e.acked && !UNCOUNTED.has(e.name)).count();
}

/** Mutations the connection status does not count as queued. */
const UNCOUNTED: ReadonlySet<MutationName> = new Set(['read.mark']);

/**
 * Records an ack. The entry keeps shaping the view until the change it made
 * reaches the replica (see `OutboxEntry.acked`), then it goes.
 */
export function settleAck(
  r: Replica,
  frame: AckDown,
  ctx: ApplyContext,
): Promise<OutboxEntry | undefined> {
  return r.transaction('rw', tables(r), async () => {
    const entry = await r.outbox.where('seq').equals(frame.seq).first();
    if (!entry || entry.acked) return undefined;
    const { scope, version } = frame;
    if (scope !== undefined && version !== undefined && (await cursorOf(r, scope)) < version) {
      await r.outbox.update(entry.id ?? 0, { acked: { scope, version } });
      return entry;
    }
    await r.outbox.delete(entry.id ?? 0);
    await recompute(r, touches(entry), ctx);
    return entry;
  });
}

/**
 * Records a refusal: the view rolls back to the server's state, except a
 * refused send, which stays in the list as `failed` with the error.
 */
export function settleReject(
  r: Replica,
  frame: RejectDown,
  ctx: ApplyContext,
): Promise<OutboxEntry | undefined> {
  return r.transaction('rw', tables(r), async () => {
    const entry = await r.outbox.where('seq').equals(frame.seq).first();
    if (!entry || entry.acked) return undefined;
    await r.outbox.delete(entry.id ?? 0);
    const refs = touches(entry);
    await recompute(r, refs, ctx);
    const ref = refs[0];
    if (entry.name === 'message.send' && ref && !(await r.messages.get(ref.id))) {
      const row = applyMutation(entry, ref, null, ctx) as LocalMessage;
      await r.messages.put({
        ...row,
        status: 'failed',
        error: frame.error,
        sendArgs: entry.args as MessageSendArgs,
      });
    }
    return entry;
  });
}

/** The queued send of a message, if any. */
function findSend(r: Replica, messageId: string): Promise<OutboxEntry | undefined> {
  return r.outbox
    .filter((e) => e.name === 'message.send' && (e.args as { id: string }).id === messageId)
    .first();
}

/**
 * Removes a failed message, or a pending one whose send never went on the
 * wire. Answers `sent` when the send may already be applied on the server: the
 * caller then deletes the message with a mutation instead; `none` when there
 * is no local-only message to discard.
 */
export function discardLocal(
  r: Replica,
  messageId: string,
  ctx: ApplyContext,
): Promise<'removed' | 'sent' | 'none'> {
  return r.transaction('rw', tables(r), async () => {
    const send = await findSend(r, messageId);
    if (send?.seq !== undefined) return 'sent';
    if (send) {
      await r.outbox.delete(send.id ?? 0);
      await recompute(r, touches(send), ctx);
      return 'removed';
    }
    const row = await r.messages.get(messageId);
    if (!row || row.status === 'sent') return 'none';
    await r.messages.delete(messageId);
    return 'removed';
  });
}
