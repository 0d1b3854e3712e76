import type { Db } from '../../db/types.ts';
import { Poller } from '../jobs/poller.ts';
import { OutboundFailed, OutboundRefused, type SafeFetch } from '../../net/safe-fetch.ts';
import { signatureHeader, SIGNATURE_HEADER } from './signature.ts';

/** How deliveries are retried; tests use small numbers and drive the clock. */
export interface DeliveryOptions {
  /** Wait before the first retry; each next one waits twice as long. */
  backoffMs: number;
  /** The longest wait between two attempts. */
  maxBackoffMs: number;
  /** Attempts of one delivery before it is given up (`failed`). */
  maxAttempts: number;
  /** Consecutive failed attempts (any delivery) that disable a subscription. */
  disableAfter: number;
  /** How long a claimed delivery stays with the node that claimed it. */
  leaseMs: number;
  /** Deliveries claimed per round. */
  batch: number;
  /** How often each node looks for due deliveries; 0: only when `runOnce` is called. */
  pollMs: number;
  /** Per attempt. */
  timeoutMs: number;
  /** Delivered and given-up deliveries are kept this long for the log. */
  keepMs: number;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  backoffMs: 10_000,
  maxBackoffMs: 3600_000,
  maxAttempts: 8,
  disableAfter: 20,
  leaseMs: 60_000,
  batch: 20,
  pollMs: 2000,
  timeoutMs: 10_000,
  keepMs: 7 * 24 * 3600_000,
};

interface Claimed extends Record<string, unknown> {
  id: string;
  subscription_id: string;
  event: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

/**
 * Sends queued deliveries. Every node runs one; due rows are claimed with
 * `FOR UPDATE SKIP LOCKED` and a lease, so nodes share the queue and a node
 * that stops mid-delivery leaves its rows to another once the lease ends. A
 * 2xx answer delivers; anything else (refused by the SSRF guard included)
 * is a failed attempt, retried with exponential backoff up to `maxAttempts`;
 * `disableAfter` failures in a row disable the subscription.
 */
export class DeliveryWorker {
  readonly #poller: Poller;

  constructor(
    private readonly db: Db,
    private readonly outbound: SafeFetch,
    private readonly log: (obj: object, msg: string) => void,
    readonly options: DeliveryOptions = defaultDeliveryOptions,
  ) {
    this.#poller = new Poller(
      (now) => this.#round(now),
      () => this.prune(),
      options.pollMs,
      (err) => log({ err }, 'webhook deliveries failed'),
    );
  }

  start(): void {
    this.#poller.start();
  }

  stop(): Promise<void> {
    return this.#poller.stop();
  }

  /**
   * Claims the deliveries due at `now` and attempts each; resolves with how
   * many were attempted. Rounds never overlap on one node.
   */
  runOnce(now = new Date()): Promise<number> {
    return this.#poller.runOnce(now);
  }

  /** Deletes finished deliveries older than `keepMs` (pending ones stay); returns how many. */
  async prune(now = new Date()): Promise<number> {
    const result = await this.db.query(
      `DELETE FROM event_deliveries WHERE status <> 'pending' AND created_at < $1`,
      [new Date(now.getTime() - this.options.keepMs)],
    );
    return result.rowCount ?? 0;
  }

  async #round(now: Date): Promise<number> {
    const { rows } = await this.db.query<Claimed>(
      `WITH due AS (
         SELECT d.id FROM event_deliveries d
         JOIN event_subscriptions s ON s.id = d.subscription_id AND s.disabled_at IS NULL
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
           AND (d.locked_until IS NULL OR d.locked_until <= $1)
         ORDER BY d.next_attempt_at
         LIMIT $2
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE event_deliveries d
       SET locked_until = $1::timestamptz + make_interval(secs => $3::double precision / 1000),
           attempts = d.attempts + 1
       FROM due, event_subscriptions s
       WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, d.event, d.body, d.attempts, s.url, s.secret`,
      [now, this.options.batch, this.options.leaseMs],
    );
    await Promise.all(rows.map((row) => this.#attempt(row, now)));
    return rows.length;
  }

  async #attempt(row: Claimed, now: Date): Promise<void> {
    const timestamp = Math.floor(now.getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await this.outbound.fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signatureHeader(row.secret, timestamp, row.body),
          'Echora-Event': row.event,
          'Echora-Delivery': row.id,
        },
        body: row.body,
        maxBytes: 64 * 1024,
        // A receiver that moved answers with a redirect it may not take a POST through.
        maxRedirects: 0,
        timeoutMs: this.options.timeoutMs,
      });
      status = response.status;
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (err) {
      error =
        err instanceof OutboundRefused || err instanceof OutboundFailed
          ? err.message
          : 'request failed';
    }
    if (error === null) await this.#delivered(row, now, status);
    else await this.#failed(row, now, status, error);
  }

  async #delivered(row: Claimed, now: Date, status: number | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE event_deliveries SET status = 'delivered', locked_until = NULL,
           last_attempt_at = $2, last_status = $3, last_error = NULL WHERE id = $1`,
        [row.id, now, status],
      );
      await tx.query('UPDATE event_subscriptions SET failures = 0 WHERE id = $1', [
        row.subscription_id,
      ]);
    });
  }

  async #failed(row: Claimed, now: Date, status: number | null, error: string): Promise<void> {
    const { backoffMs, maxBackoffMs, maxAttempts, disableAfter } = this.options;
    const wait = Math.min(maxBackoffMs, backoffMs * 2 ** (row.attempts - 1));
    const giveUp = row.attempts >= maxAttempts;
    const disabled = await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE event_deliveries SET status = $2, locked_until = NULL, last_attempt_at = $3,
           next_attempt_at = $4, last_status = $5, last_error = $6 WHERE id = $1`,
        [
          row.id,
          giveUp ? 'failed' : 'pending',
          now,
          new Date(now.getTime() + wait),
          status,
          error.slice(0, 500),
        ],
      );
      // Columns on the right of SET are the old values; RETURNING sees the new ones.
      const { rows } = await tx.query<{ disabled: boolean }>(
        `UPDATE event_subscriptions SET failures = failures + 1,
           disabled_at = CASE WHEN disabled_at IS NULL AND failures + 1 >= $2
             THEN $3::timestamptz ELSE disabled_at END,
           disabled_reason = CASE WHEN disabled_at IS NULL AND failures + 1 >= $2
             THEN $4 ELSE disabled_reason END
         WHERE id = $1 RETURNING disabled_at = $3::timestamptz AS disabled`,
        [
          row.subscription_id,
          disableAfter,
          now,
          `${disableAfter} deliveries failed in a row; the last: ${error}`.slice(0, 500),
        ],
      );
      return rows[0]?.disabled === true;
    });
    if (disabled) {
      this.log(
        { subscription: row.subscription_id, error },
        'webhook disabled after repeated failure',
      );
    }
  }
}
