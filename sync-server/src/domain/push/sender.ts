import pLimit from 'p-limit';
import webpush from 'web-push';
import type { PushPayload } from '@echora/shared/protocol/rest/push';
import type { VapidKeys } from '../../config.ts';
import type { Queryable } from '../../db/types.ts';
import { pushes } from '../../metrics/registry.ts';
import { dropGoneSubscription, type StoredSubscription } from './subscriptions.ts';

/** How the sender behaves; tests use small numbers. */
export interface PushSenderOptions {
  /** Requests to push services in flight at once. */
  concurrency: number;
  /** Pushes waiting beyond this are dropped (and counted): a burst must not grow memory without end. */
  maxQueued: number;
  /** Wait before the one retry of a push that failed for a passing reason. */
  retryDelayMs: number;
  /** A push service that has not answered by then has failed. */
  timeoutMs: number;
  /** How long a push service keeps a push for a device that is off (seconds). */
  ttlSeconds: number;
}

export const defaultPushSenderOptions: PushSenderOptions = {
  concurrency: 8,
  maxQueued: 10_000,
  retryDelayMs: 2000,
  timeoutMs: 10_000,
  ttlSeconds: 24 * 3600,
};

type Outcome = 'sent' | 'gone' | 'failed' | 'refused' | 'dropped';

/**
 * Sends Web Push requests (RFC 8030), the payload encrypted to the device
 * (RFC 8291, aes128gcm) and signed with the server's VAPID key (RFC 8292),
 * through a queue of bounded concurrency. A network error, 429 or 5xx is
 * retried once; 404/410 (the device unsubscribed) deletes the subscription.
 */
export class PushSender {
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Queryable,
    private readonly vapid: VapidKeys & { subject: string },
    private readonly log: (obj: object, msg: string) => void,
    private readonly options: PushSenderOptions = defaultPushSenderOptions,
  ) {
    this.#limit = pLimit(options.concurrency);
  }

  /** Queues one push to `sub`; never throws. */
  enqueue(sub: StoredSubscription, payload: PushPayload): void {
    if (this.#limit.pendingCount >= this.options.maxQueued) {
      pushes.inc({ outcome: 'dropped' satisfies Outcome });
      return;
    }
    const body = JSON.stringify(payload);
    const task = this.#limit(() => this.#deliver(sub, body)).then(
      (outcome) => void pushes.inc({ outcome }),
      (err: unknown) => this.log({ err }, 'push failed'),
    );
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  /** Resolves once every push queued so far has been answered or given up. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  async #deliver(sub: StoredSubscription, body: string): Promise<Outcome> {
    let status = await this.#post(sub, body);
    if (isPassing(status)) {
      await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
      status = await this.#post(sub, body);
    }
    if (status === 404 || status === 410) {
      await dropGoneSubscription(this.db, sub);
      return 'gone';
    }
    if (typeof status === 'number' && status >= 200 && status < 300) return 'sent';
    // The endpoint's host is not named: it could say where a member's device is.
    this.log({ status, subscription: sub.id }, 'push service refused a push');
    return isPassing(status) ? 'failed' : 'refused';
  }

  /** The push service's status, or 'error' when it could not be reached. */
  async #post(sub: StoredSubscription, body: string): Promise<number | 'error'> {
    const request = webpush.generateRequestDetails(
      { endpoint: sub.endpoint, keys: sub.keys },
      body,
      {
        vapidDetails: {
          subject: this.vapid.subject,
          publicKey: this.vapid.publicKey,
          privateKey: this.vapid.privateKey,
        },
        contentEncoding: 'aes128gcm',
        TTL: this.options.ttlSeconds,
        urgency: 'high',
      },
    );
    try {
      const response = await fetch(request.endpoint, {
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: new Uint8Array(request.body),
        // A redirect could lead the request to an address the endpoint check refused.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      return response.status;
    } catch {
      return 'error';
    }
  }
}

/** Worth one more try: the service could not be reached, was busy, or failed. */
const isPassing = (status: number | 'error'): boolean =>
  status === 'error' || status === 429 || status >= 500;
