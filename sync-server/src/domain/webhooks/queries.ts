import type { EventDelivery, EventSubscription } from '@echora/shared/protocol/rest/webhooks';
import type { Queryable } from '../../db/types.ts';
import { iso, isoOrNull } from '../../db/timestamps.ts';

interface SubscriptionRow extends Record<string, unknown> {
  id: string;
  name: string;
  url: string;
  events: string[];
  channel_ids: string[];
  created_by: string;
  created_at: Date | string;
  failures: number;
  disabled_at: Date | string | null;
  disabled_reason: string | null;
}

const COLUMNS =
  'id, name, url, events, channel_ids, created_by, created_at, failures, disabled_at, disabled_reason';

const toSubscription = (r: SubscriptionRow): EventSubscription => ({
  id: r.id,
  name: r.name,
  url: r.url,
  events: r.events,
  channelIds: r.channel_ids,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  failures: r.failures,
  disabledAt: isoOrNull(r.disabled_at),
  disabledReason: r.disabled_reason,
});

export async function listSubscriptions(db: Queryable): Promise<EventSubscription[]> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM event_subscriptions ORDER BY created_at, id`,
  );
  return rows.map(toSubscription);
}

export async function findSubscription(
  db: Queryable,
  id: string,
): Promise<EventSubscription | undefined> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM event_subscriptions WHERE id = $1`,
    [id],
  );
  return rows[0] ? toSubscription(rows[0]) : undefined;
}

export interface NewSubscription {
  id: string;
  name: string;
  url: string;
  secret: string;
  events: string[];
  channelIds: string[];
  createdBy: string;
}

export async function insertSubscription(
  tx: Queryable,
  s: NewSubscription,
): Promise<EventSubscription> {
  const { rows } = await tx.query<SubscriptionRow>(
    `INSERT INTO event_subscriptions (id, name, url, secret, events, channel_ids, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [s.id, s.name, s.url, s.secret, s.events, s.channelIds, s.createdBy],
  );
  return toSubscription(rows[0] as SubscriptionRow);
}

/** Turns it off by hand, or back on with a clean failure count; false when there is none. */
export async function setEnabled(tx: Queryable, id: string, enabled: boolean): Promise<boolean> {
  const result = enabled
    ? await tx.query(
        `UPDATE event_subscriptions SET disabled_at = NULL, disabled_reason = NULL, failures = 0
         WHERE id = $1`,
        [id],
      )
    : await tx.query(
        `UPDATE event_subscriptions
         SET disabled_at = coalesce(disabled_at, now()),
             disabled_reason = coalesce(disabled_reason, 'turned off by a manager')
         WHERE id = $1`,
        [id],
      );
  return (result.rowCount ?? 0) > 0;
}

interface DeliveryRow extends Record<string, unknown> {
  id: string;
  event: string;
  status: EventDelivery['status'];
  attempts: number;
  created_at: Date | string;
  last_attempt_at: Date | string | null;
  next_attempt_at: Date | string;
  last_status: number | null;
  last_error: string | null;
}

/** The subscription's latest deliveries, newest first. */
export async function deliveryLog(
  db: Queryable,
  subscriptionId: string,
  limit = 50,
): Promise<EventDelivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id, event, status, attempts, created_at, last_attempt_at, next_attempt_at,
            last_status, last_error
     FROM event_deliveries WHERE subscription_id = $1
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    event: r.event,
    status: r.status,
    attempts: r.attempts,
    createdAt: iso(r.created_at),
    lastAttemptAt: isoOrNull(r.last_attempt_at),
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
  }));
}
