import type { Attachment } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

export interface FileRow extends Record<string, unknown> {
  id: string;
  owner_id: string;
  message_id: string | null;
  purpose: 'attachment' | 'avatar' | 'preview';
  name: string;
  size: number | string;
  content_type: string;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  has_thumb: boolean;
  created_at: Date | string;
  deleted_at: Date | string | null;
}

export const FILE_COLUMNS =
  'id, owner_id, message_id, purpose, name, size, content_type, width, height, duration_ms, has_thumb, created_at, deleted_at';

/** Storage keys of a file's bytes and of its thumbnail. */
export const fileKey = (id: string): string => `files/${id}`;
export const thumbKey = (id: string): string => `files/${id}.thumb`;

/** The URL clients fetch a file from (relative to the site; the API checks access). */
export const fileUrl = (id: string): string => `/api/files/${id}`;

/** A file as messages carry it. */
export function toAttachment(row: FileRow): Attachment {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    contentType: row.content_type,
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms,
    url: fileUrl(row.id),
    thumbUrl: row.has_thumb ? `${fileUrl(row.id)}/thumb` : null,
  };
}

export type NewFile = Omit<FileRow, 'message_id' | 'created_at' | 'deleted_at'>;

export async function insertFile(db: Queryable, file: NewFile): Promise<FileRow> {
  const { rows } = await db.query<FileRow>(
    `INSERT INTO files (id, owner_id, purpose, name, size, content_type, width, height, duration_ms, has_thumb)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${FILE_COLUMNS}`,
    [
      file.id,
      file.owner_id,
      file.purpose,
      file.name,
      file.size,
      file.content_type,
      file.width,
      file.height,
      file.duration_ms,
      file.has_thumb,
    ],
  );
  return rows[0] as FileRow;
}

/** A live (not deleted) file; `forUpdate` locks it until the transaction ends. */
export async function findFile(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<FileRow | undefined> {
  const { rows } = await db.query<FileRow>(
    `SELECT ${FILE_COLUMNS} FROM files WHERE id = $1 AND deleted_at IS NULL${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}
