import { randomBytes } from 'node:crypto';
import { COMMUNITY_SCOPE, newId, type BotKind } from '@echora/shared';
import type { Bot } from '@echora/shared/protocol/rest/bots';
import type { Queryable } from '../../db/types.ts';
import { iso } from '../../db/timestamps.ts';
import type { ChangeSet } from '../../write/change-set.ts';
import { findFormerMember, findMember } from '../members/queries.ts';

/** Not an Argon2 hash: `verifyPassword` is false for it, so no bot or webhook logs in. */
const NO_PASSWORD = '!';

/**
 * A user row for a bot or a webhook's author, with a generated username
 * (`bot-…`, `webhook-…`) and `name` as the display name.
 */
export async function insertBotUser(
  tx: Queryable,
  kind: BotKind,
  name: string,
  avatarFileId: string | null,
): Promise<string> {
  const id = newId();
  const username = `${kind}-${randomBytes(5).toString('hex')}`;
  await tx.query(
    `INSERT INTO users (id, username, password_hash, display_name, avatar_file_id, bot)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, username, NO_PASSWORD, name.trim(), avatarFileId, kind],
  );
  return id;
}

/** The user row's public name as a `formerMember` upsert (a webhook author, a deleted bot). */
export async function appendFormerMember(
  tx: Queryable,
  changes: ChangeSet,
  userId: string,
): Promise<void> {
  const data = await findFormerMember(tx, userId);
  if (data) {
    await changes.append(tx, COMMUNITY_SCOPE, [
      { op: 'upsert', entity: 'formerMember', id: userId, data },
    ]);
  }
}

/**
 * Sets a bot's or webhook's avatar (a file id from `makeAvatar`, or null) and
 * tells replicas: a bot is a member, a webhook's author a former member.
 */
export async function setBotAvatar(
  tx: Queryable,
  changes: ChangeSet,
  userId: string,
  avatarFileId: string | null,
): Promise<void> {
  await tx.query('UPDATE users SET avatar_file_id = $2 WHERE id = $1 AND bot IS NOT NULL', [
    userId,
    avatarFileId,
  ]);
  const member = await findMember(tx, userId);
  if (!member) return appendFormerMember(tx, changes, userId);
  await changes.append(tx, COMMUNITY_SCOPE, [
    { op: 'upsert', entity: 'member', id: userId, data: member },
  ]);
}

interface BotRow extends Record<string, unknown> {
  id: string;
  username: string;
  display_name: string;
  avatar_file_id: string | null;
  created_at: Date | string;
  rotated_at: Date | string;
}

const toBot = (row: BotRow): Bot => ({
  id: row.id,
  username: row.username,
  name: row.display_name,
  avatarUrl: row.avatar_file_id ? `/api/files/${row.avatar_file_id}` : null,
  createdAt: iso(row.created_at),
  tokenCreatedAt: iso(row.rotated_at),
});

const SELECT_BOT = `
  SELECT u.id, u.username, u.display_name, u.avatar_file_id, u.created_at, t.rotated_at
  FROM users u JOIN bot_tokens t ON t.user_id = u.id
  JOIN members m ON m.user_id = u.id AND m.banned_at IS NULL
  WHERE u.bot = 'bot'`;

/** Every bot that is a member, oldest first. */
export async function listBots(db: Queryable): Promise<Bot[]> {
  const { rows } = await db.query<BotRow>(`${SELECT_BOT} ORDER BY u.created_at, u.id`);
  return rows.map(toBot);
}

/** One bot, or undefined. */
export async function findBot(db: Queryable, id: string): Promise<Bot | undefined> {
  const { rows } = await db.query<BotRow>(`${SELECT_BOT} AND u.id = $1`, [id]);
  return rows[0] ? toBot(rows[0]) : undefined;
}

/** Stores the hash of a bot's new secret (creation or rotation); the old one stops working. */
export async function setBotSecret(
  tx: Queryable,
  userId: string,
  secretHash: string,
  actorId: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO bot_tokens (user_id, token_hash, created_by) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, rotated_at = now()`,
    [userId, secretHash, actorId],
  );
}
