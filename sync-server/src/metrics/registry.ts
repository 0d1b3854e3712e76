import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The node's Prometheus series. One registry per process: several apps in one
 * test process add to the same counters, which is what a scrape before and
 * after traffic compares. Labels are bounded: mutation names come from the
 * protocol's fixed list, outcomes from the error kinds.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'echora_' });

export const socketsOpen = new Gauge({
  name: 'echora_sockets_open',
  help: 'Sync sockets open on this node',
  registers: [registry],
});

export const mutations = new Counter({
  name: 'echora_mutations_total',
  help: 'Mutations answered, by name and outcome (ack or the error kind)',
  labelNames: ['name', 'outcome'] as const,
  registers: [registry],
});

export const batchSize = new Histogram({
  name: 'echora_group_commit_batch_size',
  help: 'Mutations per group-commit transaction',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  registers: [registry],
});

export const batchSeconds = new Histogram({
  name: 'echora_group_commit_seconds',
  help: 'Time of one group-commit transaction, retries included',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const fanoutDeliveries = new Counter({
  name: 'echora_fanout_deliveries_total',
  help: 'Change events handed to sessions of this node',
  registers: [registry],
});

export const catchUpSeconds = new Histogram({
  name: 'echora_catch_up_seconds',
  help: 'Time to read one scope catch-up (changes since a cursor, or a reset)',
  labelNames: ['kind'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const uploadBytes = new Counter({
  name: 'echora_upload_bytes_total',
  help: 'Bytes of uploaded files stored',
  registers: [registry],
});

/** Database pool use, read at scrape time from whatever pools are open. */
const pools = new Set<() => { total: number; idle: number; waiting: number }>();
export function watchPool(
  stats: () => { total: number; idle: number; waiting: number },
): () => void {
  pools.add(stats);
  return () => pools.delete(stats);
}
new Gauge({
  name: 'echora_db_pool_connections',
  help: 'Database pool connections by state (pg only)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const stats of pools) {
      const { total, idle, waiting } = stats();
      this.inc({ state: 'busy' }, total - idle);
      this.inc({ state: 'idle' }, idle);
      this.inc({ state: 'waiting' }, waiting);
    }
  },
});

export const pushes = new Counter({
  name: 'echora_pushes_total',
  help: 'Web Push requests by outcome: sent, gone (subscription deleted), failed, refused, dropped (queue full)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
