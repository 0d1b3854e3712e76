import { channelScope, COMMUNITY_SCOPE, newId } from '@echora/shared';
import type { Db } from '../../db/types.ts';
import { ChangeSet } from '../../write/change-set.ts';
import { CHANNEL_COLUMNS, toChannel, type ChannelRow } from './queries.ts';

const DEFAULTS = [
  { kind: 'text', name: 'general' },
  { kind: 'voice', name: 'General' },
] as const;

/**
 * Creates `general` (text) and `General` (voice) when no channel was ever made.
 * The community scope row is locked first, so two nodes starting at once seed
 * once. Returns the changes written (none when the database had channels).
 */
export async function seedDefaultChannels(db: Db): Promise<ChangeSet> {
  const changes = new ChangeSet();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO scopes (scope, version) VALUES ($1, 0)
       ON CONFLICT (scope) DO UPDATE SET version = scopes.version`,
      [COMMUNITY_SCOPE],
    );
    await tx.query('SELECT version FROM scopes WHERE scope = $1 FOR UPDATE', [COMMUNITY_SCOPE]);
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM channels LIMIT 1');
    if (rows.length > 0) return;
    const channels = [];
    for (const [position, d] of DEFAULTS.entries()) {
      const inserted = await tx.query<ChannelRow>(
        `INSERT INTO channels (id, kind, name, topic, position) VALUES ($1, $2, $3, '', $4)
         RETURNING ${CHANNEL_COLUMNS}`,
        [newId(), d.kind, d.name, position],
      );
      const channel = toChannel(inserted.rows[0] as ChannelRow);
      await tx.query('INSERT INTO scopes (scope, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [
        channelScope(channel.id),
      ]);
      channels.push(channel);
    }
    await changes.append(
      tx,
      COMMUNITY_SCOPE,
      channels.map((c) => ({
        op: 'upsert' as const,
        entity: 'channel' as const,
        id: c.id,
        data: c,
      })),
    );
  });
  return changes;
}
