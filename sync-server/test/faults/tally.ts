import type { Queryable } from '../../src/db/types.ts';
import type { DurableClient, OutboxEntry } from './durable-client.ts';

/** What a fault test proves: nothing sent went missing, nothing landed twice. */
export interface Tally {
  sent: number;
  stored: number;
  /** Sent but not in Postgres, refused, or in Postgres but missing from some replica. */
  lost: number;
  /** Stored more than once, or delivered to one client more than once. */
  duplicated: number;
  details: string[];
}

/**
 * Compares every message the clients sent with the `messages` table and with
 * every client's replica. `sent` lists each client's sends (its outbox
 * entries, acknowledged or not).
 */
export async function tally(
  db: Queryable,
  clients: readonly DurableClient[],
  sent: readonly OutboxEntry[],
): Promise<Tally> {
  const details: string[] = [];
  const { rows } = await db.query<{ id: string; content: string }>(
    'SELECT id, content FROM messages WHERE id = ANY($1::uuid[])',
    [sent.map((e) => e.id)],
  );
  const byContent = new Map<string, number>();
  for (const r of rows) byContent.set(r.content, (byContent.get(r.content) ?? 0) + 1);
  const stored = new Set(rows.map((r) => r.id));

  let lost = 0;
  let duplicated = 0;
  for (const e of sent) {
    if (!stored.has(e.id)) {
      lost++;
      details.push(`not stored: ${e.content}`);
    }
    const copies = byContent.get(e.content) ?? 0;
    if (copies > 1) {
      duplicated += copies - 1;
      details.push(`stored ${copies} times: ${e.content}`);
    }
  }
  for (const [i, c] of clients.entries()) {
    for (const [id, why] of c.rejected) details.push(`client ${i} refused ${id}: ${why}`);
    lost += c.rejected.size;
    for (const e of sent) {
      if (stored.has(e.id) && !c.disk.replica.messages.has(e.id)) {
        lost++;
        details.push(`client ${i} never got ${e.content}`);
      }
    }
    for (const [id, n] of c.deliveries) {
      if (n > 1) {
        duplicated += n - 1;
        details.push(`client ${i} got ${id} ${n} times`);
      }
    }
  }
  return { sent: sent.length, stored: stored.size, lost, duplicated, details };
}

/** Prints the one line the fault suite reports per scenario. */
export function report(name: string, t: Tally, extra = ''): void {
  console.log(
    `[fault] ${name}: sent ${t.sent}, stored ${t.stored}, lost ${t.lost}, duplicated ${t.duplicated}${extra}`,
  );
  for (const line of t.details.slice(0, 20)) console.log(`  ${line}`);
}

/** Polls until `check` holds or `timeoutMs` passes (then the tally shows what is missing). */
export async function settle(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}
