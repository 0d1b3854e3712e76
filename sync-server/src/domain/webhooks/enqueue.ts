import { newId } from '@echora/shared';
import type { WebhookEvent } from '@echora/shared/protocol/rest/webhooks';
import type { Queryable } from '../../db/types.ts';
import type { Access } from '../permissions/access.ts';

/** Where an event happened: a channel (checked against each subscriber), or the community. */
export interface EventSource {
  /** The channel of a message or reaction event. */
  channelId?: string;
  /** Permission data to decide who may read that channel (required with `channelId`). */
  access?: Access;
}

/**
 * Queues `event` for every live subscription to it, in the caller's
 * transaction: it is delivered exactly when the write that caused it commits.
 * A channel event goes only to subscriptions that chose that channel (or
 * all) and whose creator can read it now; a direct conversation's, never.
 * One query when nobody subscribes.
 */
export async function queueEvent(
  tx: Queryable,
  event: WebhookEvent,
  data: Record<string, unknown>,
  source: EventSource = {},
): Promise<void> {
  await queueEvents(tx, event, [{ data, source }]);
}

/** One occurrence of an event for {@link queueEvents}. */
export interface EventOccurrence {
  data: Record<string, unknown>;
  source: EventSource;
}

/**
 * Queues several occurrences of one event (a batch of messages) as
 * {@link queueEvent} does each: one query for the subscriptions, one insert.
 */
export async function queueEvents(
  tx: Queryable,
  event: WebhookEvent,
  occurrences: readonly EventOccurrence[],
): Promise<void> {
  const wanted = occurrences.filter(
    ({ source: { channelId, access } }) =>
      !channelId || access?.data.channels.get(channelId)?.kind !== 'dm',
  );
  if (wanted.length === 0) return;
  const channelIds = wanted.flatMap((o) => (o.source.channelId ? [o.source.channelId] : []));
  const { rows } = await tx.query<{ id: string; created_by: string; channel_ids: string[] }>(
    `SELECT id, created_by, channel_ids FROM event_subscriptions
     WHERE disabled_at IS NULL AND $1 = ANY (events)
       AND ($2::boolean OR cardinality(channel_ids) = 0 OR channel_ids && $3::uuid[])`,
    [event, channelIds.length < wanted.length, channelIds],
  );
  if (rows.length === 0) return;
  const createdAt = new Date().toISOString();
  const deliveries = wanted.flatMap(({ data, source: { channelId, access } }) =>
    rows
      .filter(
        (row) =>
          !channelId ||
          ((row.channel_ids.length === 0 || row.channel_ids.includes(channelId.toLowerCase())) &&
            (access?.canSeeChannel(row.created_by, channelId) ?? false)),
      )
      .map((row) => {
        const id = newId();
        return { id, subscriptionId: row.id, body: JSON.stringify({ id, event, createdAt, data }) };
      }),
  );
  if (deliveries.length === 0) return;
  await tx.query(
    `INSERT INTO event_deliveries (id, subscription_id, event, body)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
    [
      deliveries.map((d) => d.id),
      deliveries.map((d) => d.subscriptionId),
      deliveries.map(() => event),
      deliveries.map((d) => d.body),
    ],
  );
}
