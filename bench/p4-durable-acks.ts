/**
 * P4 — acknowledged durable messages/s through the sync socket on real
 * Postgres (C clients, each sending its next message when the last is acked),
 * against single-row autocommit INSERTs by C concurrent connections in the
 * same run, and against the same rows written as multi-row
 * `INSERT … SELECT FROM unnest(…)` of 100-row batches (the best a batch
 * writer could do). Mutations go through the server's group commit:
 * concurrent ones share one transaction (one WAL flush).
 */
import pg from 'pg';
import { newId } from '@echora/shared';
import type { Figure } from './lib/figure.ts';
import { ackingClient } from './lib/acks.ts';
import { register } from '@echora/testkit';
import { startEchora } from './lib/echora.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { percentile } from './lib/stats.ts';

const CLIENTS = Number(process.env.P4_CLIENTS ?? 20);
const PER_CLIENT = Number(process.env.P4_PER_CLIENT ?? 100);
const CONTENT = 'x'.repeat(300);
/** Rows per statement of the batched baseline. */
const BATCH_ROWS = 100;
/** The batched baseline writes the rows this many times and keeps the median rate (one round is short). */
const BATCH_ROUNDS = 5;

/** Runs `op` PER_CLIENT times in each of `workers` loops; returns ops/s and latency p99. */
async function loops(
  workers: number,
  op: (w: number) => Promise<void>,
): Promise<{ rate: number; p99: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const t = performance.now();
        await op(w);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: (workers * PER_CLIENT) / seconds, p99: percentile(latencies, 99) };
}

interface Baselines {
  single: { rate: number; p99: number };
  /** Rows/s of 100-row `unnest` inserts, the same rows as the Echora run (CLIENTS × PER_CLIENT). */
  batched: number;
}

async function baseline(url: string): Promise<Baselines> {
  // The server's pool holds 10 connections; so does this one.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    await pool.query(
      'CREATE TABLE bench_insert (id uuid PRIMARY KEY, channel_id uuid NOT NULL, content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    const channel = newId();
    const single = await loops(CLIENTS, async () => {
      await pool.query('INSERT INTO bench_insert (id, channel_id, content) VALUES ($1, $2, $3)', [
        newId(),
        channel,
        CONTENT,
      ]);
    });
    const rates: number[] = [];
    for (let round = 0; round < BATCH_ROUNDS; round++) rates.push(await batched(pool, channel));
    return { single, batched: percentile(rates, 50) };
  } finally {
    await pool.end();
  }
}

/** CLIENTS × PER_CLIENT rows in autocommit statements of BATCH_ROWS rows, on every pooled connection at once. */
async function batched(pool: pg.Pool, channel: string): Promise<number> {
  const total = CLIENTS * PER_CLIENT;
  const batches = Array.from({ length: Math.ceil(total / BATCH_ROWS) }, (_, b) =>
    Array.from({ length: Math.min(BATCH_ROWS, total - b * BATCH_ROWS) }, () => newId()),
  );
  const started = performance.now();
  await Promise.all(
    batches.map((ids) =>
      pool.query(
        `INSERT INTO bench_insert (id, channel_id, content)
         SELECT id, $2, $3 FROM unnest($1::uuid[]) AS t(id)`,
        [ids, channel, CONTENT],
      ),
    ),
  );
  return total / ((performance.now() - started) / 1000);
}

async function echora(url: string): Promise<{ rate: number; p99: number }> {
  const server = await startEchora({}, url);
  try {
    const user = await register(server.url, 'p4user');
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () => ackingClient(server.syncUrl, user.accessToken)),
    );
    const general = clients[0]?.client.channels.get('text:general');
    if (!general) throw new Error('P4: no #general');
    const result = await loops(CLIENTS, async (w) => {
      await clients[w]?.send(general, CONTENT);
    });
    for (const c of clients) c.client.ws.terminate();
    return result;
  } finally {
    await server.stop();
  }
}

export async function p4(): Promise<Figure[]> {
  const db = await createBenchDatabase();
  try {
    const base = await baseline(db.url);
    const value = await echora(db.url);
    const what = `${CLIENTS} clients × ${PER_CLIENT}, 300 B, real Postgres`;
    return [
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${what} (group commit)`,
        value: value.rate,
        unit: 'msgs/s',
        baselineName: 'single-row autocommit INSERTs',
        baseline: base.single.rate,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${what}, against batched inserts`,
        value: value.rate,
        unit: 'msgs/s',
        baselineName: `${BATCH_ROWS}-row INSERT … SELECT FROM unnest, same rows`,
        baseline: base.batched,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `ack latency p99, ${what}`,
        value: value.p99,
        unit: 'ms',
        baselineName: 'INSERT latency p99',
        baseline: base.single.p99,
        better: 'lower',
      },
    ];
  } finally {
    await db.drop();
  }
}
