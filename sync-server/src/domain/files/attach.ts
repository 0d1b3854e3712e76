import { AppError, canSend, has, Permission, type Attachment } from '@echora/shared';
import { MAX_ATTACHMENTS } from '@echora/shared/protocol/rest/files';
import type { Queryable } from '../../db/types.ts';
import { FILE_COLUMNS, toAttachment, type FileRow } from './queries.ts';

/**
 * Checks, under row locks, that every id names a live upload of `userId` that
 * is attached to nothing yet, and that the user may attach files in the
 * channel (`perms`). Returns them in the order given. Another user's upload is
 * "not found", so ids do not leak.
 */
export async function claimUploads(
  tx: Queryable,
  userId: string,
  ids: readonly string[],
  perms: number,
): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  if (!canSend(perms) || !has(perms, Permission.attachFiles)) {
    throw new AppError('forbidden', 'You may not attach files in this channel.');
  }
  const unique = [...new Set(ids)];
  if (unique.length > MAX_ATTACHMENTS) {
    throw new AppError('too_large', `A message holds at most ${MAX_ATTACHMENTS} files.`);
  }
  const { rows } = await tx.query<FileRow>(
    `SELECT ${FILE_COLUMNS} FROM files
     WHERE id = ANY($1::uuid[]) AND owner_id = $2 AND deleted_at IS NULL AND purpose = 'attachment'
     FOR UPDATE`,
    [unique, userId],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.map((id) => {
    const row = byId.get(id);
    if (!row) throw new AppError('not_found', `attachmentIds: no upload ${id} of yours.`);
    if (row.message_id !== null) {
      throw new AppError('conflict', `attachmentIds: ${id} is attached to another message.`);
    }
    return toAttachment(row);
  });
}

/** Attaches claimed uploads to a message just inserted, and records them on its row. */
export async function attachUploads(
  tx: Queryable,
  messageId: string,
  attachments: readonly Attachment[],
): Promise<void> {
  if (attachments.length === 0) return;
  await tx.query('UPDATE files SET message_id = $1 WHERE id = ANY($2::uuid[])', [
    messageId,
    attachments.map((a) => a.id),
  ]);
  await tx.query('UPDATE messages SET attachments = $2::jsonb WHERE id = $1', [
    messageId,
    JSON.stringify(attachments),
  ]);
}
