import { canSee, canSend, channelScope, type MessageSendArgs, type Mentions } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { ChangeSet } from '../../write/change-set.ts';
import { appendRows, takeVersionsOf } from '../../write/feed.ts';
import { SetWriteConflict, type SetWriter, type SetWritten } from '../../write/set-write.ts';
import type { Access } from '../permissions/access.ts';
import { messageMentions } from '../mentions/resolve.ts';
import { searchVector } from '../search/vector.ts';
import { previewLinks } from '../previews/links.ts';
import { queueEvents } from '../webhooks/enqueue.ts';
import { sendMessage } from './mutations.ts';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './queries.ts';

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
 * Versions for every channel in one statement, then the messages (only into
 * channels still live: one missing means the cache was behind, and the whole
 * run falls back), the feed rows and the webhook deliveries, one statement each.
 */
async function writeSends(
  tx: Queryable,
  access: Access,
  sends: readonly PlannedSend[],
): Promise<SetWritten[]> {
  const counts = new Map<string, number>();
  const versions = sends.map((s) => {
    const scope = channelScope(s.args.channelId);
    const index = counts.get(scope) ?? 0;
    counts.set(scope, index + 1);
    return { scope, index };
  });
  const firsts = await takeVersionsOf(tx, counts);
  const seqs = versions.map((v) => (firsts.get(v.scope) ?? 0) + v.index);
  const { rows } = await tx.query<MessageRow>(
    `INSERT INTO messages (id, channel_id, author_id, content, seq, created_at, mentions, search)
     SELECT t.id, t.channel_id, t.author_id, t.content, t.seq, t.created_at, t.mentions, t.search::tsvector
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::timestamptz[],
                 $7::jsonb[], $8::text[]) AS t(id, channel_id, author_id, content, seq, created_at, mentions, search)
     JOIN channels c ON c.id = t.channel_id AND c.deleted_at IS NULL
     RETURNING ${MESSAGE_COLUMNS}`,
    [
      sends.map((s) => s.args.id),
      sends.map((s) => s.args.channelId),
      sends.map((s) => s.userId),
      sends.map((s) => s.args.content),
      seqs,
      sends.map((s) => s.now.toISOString()),
      sends.map((s) => JSON.stringify(s.mentions)),
      sends.map((s) => searchVector(s.args.content)),
    ],
  );
  if (rows.length !== sends.length) throw new SetWriteConflict('a channel is gone');
  const byId = new Map(rows.map((r) => [r.id, toMessage(r)]));
  const messages = sends.map((s) => {
    const message = byId.get(s.args.id.toLowerCase());
    if (!message) throw new SetWriteConflict(`message ${s.args.id} not written`);
    return message;
  });
  const changes = await appendRows(
    tx,
    messages.map((m, i) => ({
      scope: versions[i]?.scope ?? '',
      version: m.seq,
      entry: { op: 'upsert', entity: 'message', id: m.id, data: m },
    })),
  );
  await queueEvents(
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
  return sends.map((s, i) => {
    const scope = versions[i]?.scope ?? '';
    const change = changes[i];
    const set = new ChangeSet();
    if (change) set.appended(scope, [change]);
    const { everyone, users, roles } = s.mentions;
    if (s.direct || everyone || users.length > 0 || roles.length > 0) {
      set.notices.push({
        messageId: messages[i]?.id ?? s.args.id,
        channelId: s.args.channelId,
        authorId: s.userId,
        mentions: s.mentions,
      });
    }
    return { result: { scope, version: seqs[i] ?? 0 }, changes: set };
  });
}

export const sendSetWriter: SetWriter<MessageSendArgs, PlannedSend> = {
  plan: planSend,
  write: writeSends,
  alone: (ctx, plan) => sendMessage(ctx, plan.args),
};
