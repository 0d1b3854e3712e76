import {
  canSee,
  canSend,
  channelScope,
  type Message,
  type MessageSendArgs,
  type Mentions,
} from '@echora/shared';
import { settled } from '../../db/pipeline.ts';
import type { Queryable } from '../../db/types.ts';
import { ChangeSet } from '../../write/change-set.ts';
import { SetWriteConflict, type SetWriter, type SetWritten } from '../../write/set-write.ts';
import type { Access } from '../permissions/access.ts';
import { messageMentions } from '../mentions/resolve.ts';
import { searchVector } from '../search/vector.ts';
import { previewLinks } from '../previews/links.ts';
import { queueEvents } from '../webhooks/enqueue.ts';
import { sendMessage } from './mutations.ts';
import { toMessage } from './queries.ts';

/** A `message.send` the cache allows, with what its row needs. */
export interface PlannedSend {
  userId: string;
  args: MessageSendArgs;
  now: Date;
  mentions: Mentions;
  direct: boolean;
}

/**
 * The plain message (no files, no reply, no link to unfurl, in a text channel
 * or a direct conversation the author may write in): what {@link sendMessage}
 * does for it, for many at once. Replies, files, links and threads, and every
 * refusal, take the handler.
 */
function planSend(
  access: Access,
  userId: string,
  args: MessageSendArgs,
  now: Date,
): PlannedSend | undefined {
  if (args.attachmentIds?.length || args.replyToId !== undefined || !args.content.trim()) {
    return undefined;
  }
  // A link is unfurled: the handler queues its preview in the same transaction.
  if (previewLinks(args.content).length > 0) return undefined;
  const kind = access.data.channels.get(args.channelId)?.kind;
  if (kind !== 'text' && kind !== 'dm') return undefined;
  const perms = access.channel(userId, args.channelId, now.getTime());
  if (!canSee(perms) || !canSend(perms)) return undefined;
  const mentions = messageMentions(access, args.content, perms);
  return { userId, args, now, mentions, direct: kind === 'dm' };
}

/**
 * The row each send inserts, as {@link toMessage} would read it back (its
 * `seq` is the database's to assign): the feed row's data and the change.
 */
function plannedMessage(s: PlannedSend): Message {
  return toMessage({
    id: s.args.id.toLowerCase(),
    channel_id: s.args.channelId.toLowerCase(),
    author_id: s.userId.toLowerCase(),
    content: s.args.content,
    seq: 0,
    created_at: s.now,
    edited_at: null,
    deleted_at: null,
    mentions: s.mentions,
  });
}

/**
 * One statement: the versions of every channel (locked in scope order, as
 * every set writer does, so two of them wait for each other rather than
 * deadlock), the messages (only into channels still live: one missing
 * means the cache was behind, and the whole run falls back) and their feed
 * rows; the webhook deliveries beside it.
 */
async function writeSends(
  tx: Queryable,
  access: Access,
  sends: readonly PlannedSend[],
): Promise<SetWritten[]> {
  const counts = new Map<string, number>();
  const scopes = sends.map((s) => channelScope(s.args.channelId));
  for (const scope of scopes) counts.set(scope, (counts.get(scope) ?? 0) + 1);
  // How many later sends of the same scope follow each one: its version is the last taken minus that.
  const seen = new Map<string, number>();
  const back = scopes.map((scope) => {
    const index = seen.get(scope) ?? 0;
    seen.set(scope, index + 1);
    return (counts.get(scope) ?? 0) - 1 - index;
  });
  const ordered = [...counts.keys()].sort();
  const messages = sends.map(plannedMessage);
  const inserted = tx.query<{ id: string; seq: number }>(
    `WITH v AS (
       INSERT INTO scopes (scope, version)
       SELECT * FROM unnest($1::text[], $2::bigint[]) AS n(scope, n) ORDER BY scope
       ON CONFLICT (scope) DO UPDATE SET version = scopes.version + EXCLUDED.version
       RETURNING scope, version),
     t AS (
       SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::bigint[],
                            $9::timestamptz[], $10::jsonb[], $11::text[], $12::jsonb[])
         AS t(id, channel_id, author_id, content, scope, back, created_at, mentions, search, data)),
     m AS (
       INSERT INTO messages (id, channel_id, author_id, content, seq, created_at, mentions, search)
       SELECT t.id, t.channel_id, t.author_id, t.content, v.version - t.back, t.created_at,
              t.mentions, t.search::tsvector
       FROM t JOIN v ON v.scope = t.scope
       JOIN channels c ON c.id = t.channel_id AND c.deleted_at IS NULL
       RETURNING id, seq),
     f AS (
       INSERT INTO feed (scope, version, entity, op, entity_id, data)
       SELECT t.scope, m.seq, 'message', 'upsert', m.id, jsonb_set(t.data, '{seq}', to_jsonb(m.seq))
       FROM m JOIN t ON t.id = m.id)
     SELECT id, seq FROM m`,
    [
      ordered,
      ordered.map((scope) => counts.get(scope) ?? 0),
      messages.map((m) => m.id),
      messages.map((m) => m.channelId),
      messages.map((m) => m.authorId),
      messages.map((m) => m.content),
      scopes,
      back,
      sends.map((s) => s.now.toISOString()),
      sends.map((s) => JSON.stringify(s.mentions)),
      sends.map((s) => searchVector(s.args.content)),
      messages.map((m) => JSON.stringify(m)),
    ],
  );
  // The webhook subscriptions are looked up in the same round trip (rolled back with the rest if a send is not written).
  const queued = queueEvents(
    tx,
    'message.created',
    sends.map((s, i) => ({
      data: {
        message: {
          id: messages[i]?.id,
          channelId: s.args.channelId,
          authorId: s.userId,
          content: s.args.content,
          createdAt: messages[i]?.createdAt,
          replyToId: null,
        },
      },
      source: { channelId: s.args.channelId, access },
    })),
  );
  const [{ rows }] = await settled(inserted, queued);
  if (rows.length !== sends.length) throw new SetWriteConflict('a channel is gone');
  const seqs = new Map(rows.map((r) => [r.id, Number(r.seq)]));
  for (const m of messages) {
    const seq = seqs.get(m.id);
    if (seq === undefined) throw new SetWriteConflict(`message ${m.id} not written`);
    m.seq = seq;
  }
  return sends.map((s, i) => {
    const scope = scopes[i] ?? '';
    const message = messages[i] as Message;
    const set = new ChangeSet();
    set.appended(scope, [{ version: message.seq, op: 'upsert', entity: 'message', data: message }]);
    const { everyone, users, roles } = s.mentions;
    if (s.direct || everyone || users.length > 0 || roles.length > 0) {
      set.notices.push({
        messageId: message.id,
        channelId: s.args.channelId,
        authorId: s.userId,
        mentions: s.mentions,
      });
    }
    return { result: { scope, version: message.seq }, changes: set };
  });
}

export const sendSetWriter: SetWriter<MessageSendArgs, PlannedSend> = {
  plan: planSend,
  write: writeSends,
  alone: (ctx, plan) => sendMessage(ctx, plan.args),
};
