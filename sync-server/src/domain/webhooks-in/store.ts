import type { Webhook } from '@echora/shared/protocol/rest/bots';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../db/timestamps.ts';

interface WebhookRow extends Record<string, unknown> {
  id: string;
  channel_id: string;
  user_id: string;
  token_hash: string;
  display_name: string;
  avatar_file_id: string | null;
  created_at: Date | string;
}

/** A webhook row with its token hash (for the check) and what managers see. */
export interface StoredWebhook {
  webhook: Webhook;
  tokenHash: string;
}

const toStored = (row: WebhookRow): StoredWebhook => ({
  tokenHash: row.token_hash,
  webhook: {
    id: row.id,
    channelId: row.channel_id,
    authorId: row.user_id,
    name: row.display_name,
    avatarUrl: row.avatar_file_id ? `/api/files/${row.avatar_file_id}` : null,
    createdAt: iso(row.created_at),
  },
});

const SELECT = `
  SELECT w.id, w.channel_id, w.user_id, w.token_hash, w.created_at, u.display_name, u.avatar_file_id
  FROM incoming_webhooks w JOIN users u ON u.id = w.user_id`;

/** A webhook whose channel is not deleted, or undefined. */
export async function findWebhook(db: Queryable, id: string): Promise<StoredWebhook | undefined> {
  const { rows } = await db.query<WebhookRow>(
    `${SELECT} JOIN channels c ON c.id = w.channel_id AND c.deleted_at IS NULL WHERE w.id = $1`,
    [id],
  );
  return rows[0] ? toStored(rows[0]) : undefined;
}

/** A channel's webhooks, oldest first. */
export async function listWebhooks(db: Queryable, channelId: string): Promise<Webhook[]> {
  const { rows } = await db.query<WebhookRow>(
    `${SELECT} WHERE w.channel_id = $1 ORDER BY w.created_at, w.id`,
    [channelId],
  );
  return rows.map((r) => toStored(r).webhook);
}

export async function insertWebhook(
  tx: Queryable,
  row: { id: string; channelId: string; userId: string; tokenHash: string; createdBy: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO incoming_webhooks (id, channel_id, user_id, token_hash, created_by)
     VALUES ($1, $2, $3, $4, $5)`,
    [row.id, row.channelId, row.userId, row.tokenHash, row.createdBy],
  );
}

/** Replaces the token's hash; false when there is no such webhook in the channel. */
export async function setWebhookSecret(
  tx: Queryable,
  channelId: string,
  id: string,
  tokenHash: string,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'UPDATE incoming_webhooks SET token_hash = $3 WHERE id = $1 AND channel_id = $2',
    [id, channelId, tokenHash],
  );
  return rowCount > 0;
}

/** Deletes a webhook (its messages stay, under its name); false when there was none. */
export async function deleteWebhook(
  tx: Queryable,
  channelId: string,
  id: string,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'DELETE FROM incoming_webhooks WHERE id = $1 AND channel_id = $2',
    [id, channelId],
  );
  return rowCount > 0;
}
