import { AppError } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import type { AccessCache } from '../permissions/access.ts';
import { findFile, type FileRow } from './queries.ts';

const notFound = () => new AppError('not_found', 'No such file.');

/**
 * The file, if `userId` may read it: an avatar or a link preview's image,
 * to any member; an attachment, to whoever may see the channel of its (live)
 * message; an upload not yet
 * attached, to its uploader only. Anything else is "not found", so a leaked
 * link tells a stranger nothing.
 */
export async function readableFile(
  db: Queryable,
  cache: AccessCache,
  userId: string,
  id: string,
): Promise<FileRow> {
  const file = await findFile(db, id);
  if (!file) throw notFound();
  let access = await cache.get();
  if (!access.member(userId)) throw notFound();
  // A link preview's image came from a public page, shared by every message linking it.
  if (file.purpose === 'avatar' || file.purpose === 'preview') return file;
  if (file.message_id === null) {
    if (file.owner_id === userId) return file;
    throw notFound();
  }
  const { rows } = await db.query<{ channel_id: string; deleted_at: Date | null }>(
    'SELECT channel_id, deleted_at FROM messages WHERE id = $1',
    [file.message_id],
  );
  const message = rows[0];
  if (!message || message.deleted_at !== null) throw notFound();
  // A channel made a moment ago on another node may be missing from this cache.
  if (!access.data.channels.has(message.channel_id)) access = await cache.reload();
  if (!access.canSeeChannel(userId, message.channel_id)) throw notFound();
  return file;
}
