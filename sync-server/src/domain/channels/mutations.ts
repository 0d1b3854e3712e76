import {
  AppError,
  canManageChannels,
  channelScope,
  COMMUNITY_SCOPE,
  type ChannelCreateArgs,
  type ChannelDeleteArgs,
  type ChannelRenameArgs,
  type ChannelReorderArgs,
} from '@echora/shared';
import type { MutationContext, MutationResult } from '../../sync/context.ts';
import { CHANNEL_COLUMNS, findChannel, toChannel, type ChannelRow } from './queries.ts';

function requireManage(ctx: MutationContext): void {
  if (!canManageChannels(ctx.access.base(ctx.userId, ctx.now.getTime()))) {
    throw new AppError('forbidden', 'You need the manage channels permission.');
  }
}

/** Trimmed names only: the schema already refused control characters and lengths. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('invalid', 'name: must not be blank');
  return trimmed;
}

async function liveChannel(ctx: MutationContext, id: string): Promise<ChannelRow> {
  const row = await findChannel(ctx.tx, id, true);
  if (!row || row.deleted_at !== null) throw new AppError('not_found', 'No such channel.');
  return row;
}

function result(ctx: MutationContext): MutationResult {
  const version = ctx.changes.lastVersion(COMMUNITY_SCOPE);
  return version === undefined ? {} : { scope: COMMUNITY_SCOPE, version };
}

/** `channel.create`: a new channel at the end of the list, with an empty scope of its own. */
export async function createChannel(
  ctx: MutationContext,
  args: ChannelCreateArgs,
): Promise<MutationResult> {
  requireManage(ctx);
  const name = cleanName(args.name);
  const existing = await findChannel(ctx.tx, args.id);
  if (existing) throw new AppError('conflict', 'A channel with this id already exists.');
  const { rows } = await ctx.tx.query<ChannelRow>(
    `INSERT INTO channels (id, kind, name, topic, position, created_at)
     VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position) + 1, 0) FROM channels WHERE deleted_at IS NULL), $5)
     RETURNING ${CHANNEL_COLUMNS}`,
    [args.id, args.kind, name, args.topic ?? '', ctx.now],
  );
  await ctx.tx.query('INSERT INTO scopes (scope, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [
    channelScope(args.id),
  ]);
  const channel = toChannel(rows[0] as ChannelRow);
  ctx.changes.accessChannels.add(channel.id);
  await ctx.changes.append(ctx.tx, COMMUNITY_SCOPE, [
    { op: 'upsert', entity: 'channel', id: channel.id, data: channel },
  ]);
  return result(ctx);
}

/** `channel.rename`: a new name, and the topic when given. */
export async function renameChannel(
  ctx: MutationContext,
  args: ChannelRenameArgs,
): Promise<MutationResult> {
  requireManage(ctx);
  const name = cleanName(args.name);
  await liveChannel(ctx, args.id);
  const { rows } = await ctx.tx.query<ChannelRow>(
    `UPDATE channels SET name = $2, topic = coalesce($3, topic) WHERE id = $1 RETURNING ${CHANNEL_COLUMNS}`,
    [args.id, name, args.topic ?? null],
  );
  const channel = toChannel(rows[0] as ChannelRow);
  await ctx.changes.append(ctx.tx, COMMUNITY_SCOPE, [
    { op: 'upsert', entity: 'channel', id: channel.id, data: channel },
  ]);
  return result(ctx);
}

/** `channel.delete`: a tombstone in the community feed; its viewers get a revoke. */
export async function deleteChannel(
  ctx: MutationContext,
  args: ChannelDeleteArgs,
): Promise<MutationResult> {
  requireManage(ctx);
  await liveChannel(ctx, args.id);
  await ctx.tx.query('UPDATE channels SET deleted_at = $2 WHERE id = $1', [args.id, ctx.now]);
  ctx.changes.accessChannels.add(args.id);
  await ctx.changes.append(ctx.tx, COMMUNITY_SCOPE, [
    { op: 'delete', entity: 'channel', id: args.id },
  ]);
  return result(ctx);
}

/** `channel.reorder`: listed channels first in the given order, the rest after in their order. */
export async function reorderChannels(
  ctx: MutationContext,
  args: ChannelReorderArgs,
): Promise<MutationResult> {
  requireManage(ctx);
  const { rows } = await ctx.tx.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE deleted_at IS NULL ORDER BY position, id FOR UPDATE`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = args.ids.find((id) => !byId.has(id));
  if (missing) throw new AppError('not_found', `ids: no such channel ${missing}`);
  const listed = new Set(args.ids);
  const order = [...args.ids, ...rows.map((r) => r.id).filter((id) => !listed.has(id))];
  const moved: ChannelRow[] = [];
  order.forEach((id, position) => {
    const row = byId.get(id);
    if (row && row.position !== position) moved.push({ ...row, position });
  });
  if (moved.length === 0) return {};
  await ctx.tx.query(
    `UPDATE channels SET position = t.position
     FROM unnest($1::uuid[], $2::int[]) AS t(id, position) WHERE channels.id = t.id`,
    [moved.map((r) => r.id), moved.map((r) => r.position)],
  );
  await ctx.changes.append(
    ctx.tx,
    COMMUNITY_SCOPE,
    moved.map((r) => ({
      op: 'upsert' as const,
      entity: 'channel' as const,
      id: r.id,
      data: toChannel(r),
    })),
  );
  return result(ctx);
}
