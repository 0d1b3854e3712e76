import {
  AppError,
  canManageChannels,
  canSee,
  channelScope,
  COMMUNITY_SCOPE,
  type ChannelCreateArgs,
  type ChannelDeleteArgs,
  type ChannelRenameArgs,
  type ChannelReorderArgs,
} from '@echora/shared';
import {
  StaleAccessError,
  type MutationContext,
  type MutationResult,
} from '../../write/context.ts';
import { CHANNEL_COLUMNS, findChannel, toChannel, type ChannelRow } from './queries.ts';
import { visibleChannel } from './visible.ts';

/** Community-wide manage channels: creating one, reordering the list. */
function requireManage(ctx: MutationContext): void {
  if (!canManageChannels(ctx.access.base(ctx.userId, ctx.now.getTime()))) {
    throw new AppError('forbidden', 'You need the manage channels permission.');
  }
}

/**
 * A live channel the actor may see and manage, locked. One they may not see
 * is "not found" (see {@link visibleChannel}); an override can take manage
 * channels away in one channel, or grant it there.
 */
async function managedChannel(ctx: MutationContext, id: string): Promise<ChannelRow> {
  const { row, perms } = await visibleChannel(ctx, id);
  if (!canManageChannels(perms)) {
    throw new AppError('forbidden', 'You need the manage channels permission in this channel.');
  }
  return row;
}

/** Trimmed names only: the schema already refused control characters and lengths. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('invalid', 'name: must not be blank');
  return trimmed;
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

/** `channel.rename`: a new name, and the topic when given (view and manage in that channel). */
export async function renameChannel(
  ctx: MutationContext,
  args: ChannelRenameArgs,
): Promise<MutationResult> {
  const name = cleanName(args.name);
  await managedChannel(ctx, args.id);
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

/**
 * `channel.delete` (view and manage in that channel): a tombstone in the
 * community feed; its viewers get a revoke.
 */
export async function deleteChannel(
  ctx: MutationContext,
  args: ChannelDeleteArgs,
): Promise<MutationResult> {
  await managedChannel(ctx, args.id);
  await ctx.tx.query('UPDATE channels SET deleted_at = $2 WHERE id = $1', [args.id, ctx.now]);
  // Its incoming webhooks go with it (their URLs answer 401 from now on).
  await ctx.tx.query('DELETE FROM incoming_webhooks WHERE channel_id = $1', [args.id]);
  ctx.changes.accessChannels.add(args.id);
  await ctx.changes.append(ctx.tx, COMMUNITY_SCOPE, [
    { op: 'delete', entity: 'channel', id: args.id },
  ]);
  return result(ctx);
}

/**
 * `channel.reorder` (manage channels, and view and manage in every channel
 * it moves). Channels the actor may not manage, hidden ones included, keep
 * their places; the others fill the remaining places: listed ones first in
 * the given order, then the rest in their order. Listing a channel the actor
 * may not see is "not found", as for an unknown id; a listed channel they
 * may see but not manage may stay where it is, and a request that would
 * move it is refused. Positions come out dense (0, 1, 2 ...): renumbering a
 * channel whose place in the list stays is not moving it.
 */
export async function reorderChannels(
  ctx: MutationContext,
  args: ChannelReorderArgs,
): Promise<MutationResult> {
  requireManage(ctx);
  const { rows } = await ctx.tx.query<ChannelRow>(
    // Direct conversations are not in the channel list.
    `SELECT ${CHANNEL_COLUMNS} FROM channels WHERE deleted_at IS NULL AND kind <> 'dm' ORDER BY position, id FOR UPDATE`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const now = ctx.now.getTime();
  const perms = (id: string) => ctx.access.channel(ctx.userId, id, now);
  for (const id of args.ids) {
    if (byId.has(id) && !ctx.access.data.channels.has(id)) throw new StaleAccessError();
    if (!byId.has(id) || !canSee(perms(id))) {
      throw new AppError('not_found', `ids: no such channel ${id}`);
    }
  }
  // Unlisted channels the cache does not know yet count as not managed: they stay.
  const managed = (id: string) => canManageChannels(perms(id));
  const listed = new Set(args.ids);
  const incoming = [
    ...args.ids.filter(managed),
    ...rows.map((r) => r.id).filter((id) => managed(id) && !listed.has(id)),
  ];
  const order = rows.map((r) => (managed(r.id) ? (incoming.shift() ?? r.id) : r.id));
  const placed = order.filter((id) => listed.has(id));
  // Only a listed channel the actor may not manage, held in its place, can break the order.
  if (placed.some((id, i) => id !== args.ids[i])) {
    throw new AppError(
      'forbidden',
      'You need the manage channels permission in every channel you move.',
    );
  }
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
