import type { RejectDown, WireError } from '@echora/shared';
import type { Queryable } from '../db/types.ts';
import type { MutationAnswer } from './dispatch.ts';

/** The recorded history of one client, as far as a batch needs it. */
export interface ClientState {
  max: number;
  results: Map<number, MutationAnswer>;
}

/** One mutation of a batch, as its record needs it. */
export interface Recordable {
  userId: string;
  clientId: string;
  frame: { seq: number };
}

export const reject = (seq: number, error: WireError): RejectDown => ({
  type: 'reject',
  seq,
  error,
});

/**
 * The answer already owed for `seq`, if any: the recorded one, an ack for an
 * old seq with no record (pruned), or a `protocol` refusal for a gap.
 */
export function owed(state: ClientState, seq: number): MutationAnswer | undefined {
  const result = state.results.get(seq);
  if (result) return result;
  const expected = state.max + 1;
  if (seq < expected) return { type: 'ack', seq };
  if (seq > expected) {
    return reject(seq, { kind: 'protocol', message: `seq: expected ${expected}, got ${seq}` });
  }
  return undefined;
}

/** One query for every client of the batch: its highest recorded seq and the records asked for. */
export async function recorded(
  tx: Queryable,
  batch: readonly Recordable[],
): Promise<Map<string, ClientState>> {
  const { rows } = await tx.query<{
    client_id: string;
    seq: number;
    max: number | null;
    result: MutationAnswer | null;
  }>(
    `SELECT q.client_id, q.seq,
            (SELECT max(m.seq) FROM client_mutations m WHERE m.client_id = q.client_id) AS max,
            (SELECT m.result FROM client_mutations m
              WHERE m.client_id = q.client_id AND m.seq = q.seq) AS result
     FROM unnest($1::uuid[], $2::bigint[]) AS q(client_id, seq)`,
    [batch.map((i) => i.clientId), batch.map((i) => i.frame.seq)],
  );
  const states = new Map<string, ClientState>();
  for (const row of rows) {
    const state = states.get(row.client_id) ?? { max: Number(row.max ?? 0), results: new Map() };
    if (row.result) state.results.set(Number(row.seq), row.result);
    states.set(row.client_id, state);
  }
  return states;
}

/** Records every new answer of the batch (undefined: nothing to record) in one statement, so a replay gets the same one. */
export async function record(
  tx: Queryable,
  batch: readonly Recordable[],
  answers: readonly (MutationAnswer | undefined)[],
): Promise<void> {
  const rows = batch.flatMap((item, i) => {
    const answer = answers[i];
    return answer ? [{ item, answer }] : [];
  });
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO client_mutations (client_id, seq, user_id, result)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::jsonb[])`,
    [
      rows.map((r) => r.item.clientId),
      rows.map((r) => r.answer.seq),
      rows.map((r) => r.item.userId),
      rows.map((r) => JSON.stringify(r.answer)),
    ],
  );
}
