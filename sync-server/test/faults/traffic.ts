import type { Queryable } from '../../src/db/types.ts';
import { DurableClient, freshDisk, type OutboxEntry } from './durable-client.ts';
import { register } from '@echora/testkit';
import { report, settle, tally, type Tally } from './tally.ts';

/** Registers `users` users on `url` and connects `count` clients spread over them. */
export async function connectClients(
  url: string,
  count: number,
  users: number,
  pickUrl: (i: number) => string,
): Promise<{ clients: DurableClient[]; channelId: string }> {
  const tokens: string[] = [];
  // In small batches: each registration hashes a password.
  for (let i = 0; i < users; i += 5) {
    const batch = Array.from({ length: Math.min(5, users - i) }, (_, k) =>
      register(url, `fault_${i + k}_${Math.random().toString(36).slice(2, 8)}`),
    );
    tokens.push(...(await Promise.all(batch)).map((u) => u.accessToken));
  }
  const clients = Array.from(
    { length: count },
    (_, i) => new DurableClient(freshDisk(), tokens[i % users] ?? '', () => pickUrl(i)),
  );
  await Promise.all(clients.map((c) => c.start()));
  const general = [...(clients[0]?.disk.replica.channels.values() ?? [])].find(
    (c) => c.kind === 'text',
  );
  if (!general) throw new Error('no text channel');
  return { clients, channelId: general.id };
}

export interface TrafficOptions {
  name: string;
  clients: DurableClient[];
  channelId: string;
  perClient: number;
  intervalMs: number;
  /**
   * Runs once, right after the first send made `faultAfterMs` or more into
   * the traffic (by a client `strikesAfter` picks), while sends continue.
   */
  fault: () => Promise<void>;
  faultAfterMs: number;
  /** Whose send may set the fault off (by client index); any client's by default. */
  strikesAfter?: (client: number) => boolean;
  /** Reads `messages` once everything settled. */
  db: Queryable;
  settleMs?: number;
}

/**
 * Every client sends `perClient` messages, one per `intervalMs`, while the
 * fault strikes; then waits for every outbox to drain and every replica to
 * hold every message, and tallies lost and duplicated messages.
 */
export async function trafficThroughFault(
  o: TrafficOptions,
): Promise<Tally & { pendingAtFault: number }> {
  const sent: OutboxEntry[] = [];
  let pendingAtFault = 0;
  let struck: Promise<void> | undefined;
  const faultAt = performance.now() + o.faultAfterMs;
  const sending = Promise.all(
    o.clients.map(async (c, i) => {
      for (let k = 0; k < o.perClient; k++) {
        sent.push(c.send(o.channelId, `${o.name}:${i}:${k}`));
        // Right after a send, before its ack can arrive: the fault strikes with it in flight.
        // (An instant picked by the clock alone can fall between acks and find nothing pending.)
        if (!struck && performance.now() >= faultAt && (o.strikesAfter?.(i) ?? true)) {
          pendingAtFault = o.clients.reduce((n, client) => n + client.pending, 0);
          struck = o.fault();
          // Awaited once the sends are done; until then a failure must not count as unhandled.
          struck.catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, o.intervalMs));
      }
    }),
  );
  await sending;
  if (!struck) throw new Error(`${o.name}: the traffic ended before the fault could strike`);
  await struck;
  const settleMs = o.settleMs ?? 60_000;
  await settle(() => o.clients.every((c) => c.pending === 0), settleMs);
  const ids = sent.map((e) => e.id);
  await settle(
    () => o.clients.every((c) => ids.every((id) => c.disk.replica.messages.has(id))),
    settleMs,
  );
  const t = await tally(o.db, o.clients, sent);
  const reconnects = o.clients.reduce((n, c) => n + c.reconnects, 0);
  report(o.name, t, `; ${pendingAtFault} unacked when the fault struck, ${reconnects} reconnects`);
  return { ...t, pendingAtFault };
}
