import { timingSafeEqual } from 'node:crypto';
import { newId } from '@echora/shared';
import type { PushRenewBody, PushSubscribeBody } from '@echora/shared/protocol/rest/push';
import type { Queryable } from '../../db/types.ts';

/** Devices one user may have subscribed; a new one past this replaces their oldest. */
export const MAX_SUBSCRIPTIONS_PER_USER = 20;

/** A device to push to, as web-push takes it. */
export interface StoredSubscription {
  id: string;
  userId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

interface SubscriptionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

const toSubscription = (row: SubscriptionRow): StoredSubscription => ({
  id: row.id,
  userId: row.user_id,
  endpoint: row.endpoint,
  keys: { p256dh: row.p256dh, auth: row.auth },
});

/**
 * Stores `userId`'s device and returns its id. A known endpoint is the same
 * device: it gets the new keys, and the signed-in user (a browser serves one
 * account at a time; the endpoint is a secret only that browser holds).
 */
export async function saveSubscription(
  db: Queryable,
  userId: string,
  body: PushSubscribeBody,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (endpoint) DO UPDATE
       SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
           created_at = now()
     RETURNING id`,
    [newId(), userId, body.endpoint, body.keys.p256dh, body.keys.auth],
  );
  await db.query(
    `DELETE FROM push_subscriptions WHERE id IN (
       SELECT id FROM push_subscriptions WHERE user_id = $1
       ORDER BY created_at DESC, id DESC OFFSET $2)`,
    [userId, MAX_SUBSCRIPTIONS_PER_USER],
  );
  return rows[0]?.id ?? '';
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Moves the device known by its old endpoint and auth secret to its new
 * subscription, keeping its id and user; undefined when no device matches
 * both. The new endpoint must not already be another stored device's.
 */
export async function renewSubscription(
  db: Queryable,
  { old, subscription }: PushRenewBody,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string; auth: string }>(
    'SELECT id, auth FROM push_subscriptions WHERE endpoint = $1',
    [old.endpoint],
  );
  const row = rows[0];
  if (!row || !sameSecret(row.auth, old.auth)) return undefined;
  if (subscription.endpoint !== old.endpoint) {
    await db.query('DELETE FROM push_subscriptions WHERE endpoint = $1 AND id <> $2', [
      subscription.endpoint,
      row.id,
    ]);
  }
  const updated = await db.query(
    `UPDATE push_subscriptions SET endpoint = $2, p256dh = $3, auth = $4, created_at = now()
     WHERE id = $1 AND endpoint = $5 RETURNING id`,
    [row.id, subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth, old.endpoint],
  );
  return updated.rows.length > 0 ? row.id : undefined;
}

/** Removes the device `id` if it is `userId`'s; false when there is no such one of theirs. */
export async function deleteSubscription(
  db: Queryable,
  userId: string,
  id: string,
): Promise<boolean> {
  const { rows } = await db.query(
    'DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2 RETURNING id',
    [id, userId],
  );
  return rows.length > 0;
}

/** Forgets a device its push service says is gone (404/410), unless it was just renewed. */
export async function dropGoneSubscription(db: Queryable, sub: StoredSubscription): Promise<void> {
  await db.query('DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2 AND auth = $3', [
    sub.id,
    sub.endpoint,
    sub.keys.auth,
  ]);
}

/** Every device of `userIds`. */
export async function subscriptionsOf(
  db: Queryable,
  userIds: readonly string[],
): Promise<StoredSubscription[]> {
  if (userIds.length === 0) return [];
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions
     WHERE user_id = ANY($1::uuid[]) ORDER BY user_id, id`,
    [userIds],
  );
  return rows.map(toSubscription);
}
