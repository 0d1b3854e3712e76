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
  const { channelId, access } = source;
  if (channelId && access?.data.channels.get(channelId)?.kind === 'dm') return;
  const { rows } = await tx.query<{ id: string; created_by: string }>(
    `SELECT id, created_by FROM event_subscriptions
     WHERE disabled_at IS NULL AND $1 = ANY (events)
       AND ($2::uuid IS NULL OR cardinality(channel_ids) = 0 OR $2::uuid = ANY (channel_ids))`,
    [event, channelId ?? null],
  );
  const targets = rows.filter(
    (row) => !channelId || (access?.canSeeChannel(row.created_by, channelId) ?? false),
  );
  if (targets.length === 0) return;
  const createdAt = new Date().toISOString();
  const ids = targets.map(() => newId());
  const bodies = targets.map((_, i) => JSON.stringify({ id: ids[i], event, createdAt, data }));
  await tx.query(
    `INSERT INTO event_deliveries (id, subscription_id, event, body)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
    [ids, targets.map((t) => t.id), targets.map(() => event), bodies],
  );
}
