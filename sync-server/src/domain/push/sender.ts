import pLimit from 'p-limit';
import webpush from 'web-push';
import type { PushPayload } from '@echora/shared/protocol/rest/push';
import type { VapidKeys } from '../../config.ts';
import type { Queryable } from '../../db/types.ts';
import { OutboundRefused, type SafeFetch } from '../../net/safe-fetch.ts';
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
    private readonly outbound: SafeFetch,
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
    if (status === 'refused') {
      // The endpoint's name now resolves to an address this server must not call.
      this.log({ subscription: sub.id }, 'push endpoint refused by the outbound guard');
      return 'refused';
    }
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

  /**
   * The push service's status, 'error' when it could not be reached, or
   * 'refused' when its address is one the outbound guard does not allow.
   */
  async #post(sub: StoredSubscription, body: string): Promise<number | 'error' | 'refused'> {
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
      const response = await this.outbound.fetch(request.endpoint, {
        method: 'POST',
        headers: request.headers,
        body: new Uint8Array(request.body),
        // A push service answers without a body worth reading, and is never redirected.
        maxRedirects: 0,
        maxBytes: 64 * 1024,
        timeoutMs: this.options.timeoutMs,
      });
      return response.status;
    } catch (err) {
      return err instanceof OutboundRefused ? 'refused' : 'error';
    }
  }
}

/** Worth one more try: the service could not be reached, was busy, or failed. */
const isPassing = (status: number | 'error' | 'refused'): boolean =>
  status === 'error' || (typeof status === 'number' && (status === 429 || status >= 500));
