import { AppError, COMMUNITY_SCOPE, type Member } from '@echora/shared';
import type { ProfilePatch } from '@echora/shared/protocol/rest/profile';
import type { Db } from '../../db/types.ts';
import type { FileStorage } from '../../storage/index.ts';
import type { Writer } from '../../write/writer.ts';
import { findMember } from '../members/queries.ts';
import { makeAvatar } from './avatar.ts';

const COLUMNS = {
  displayName: 'display_name',
  bio: 'bio',
  pronouns: 'pronouns',
  statusText: 'status_text',
} as const;

/** Control characters have no place in a profile; display names also lose edge spaces. */
function clean(field: keyof typeof COLUMNS, value: string): string {
  // A bio keeps its line breaks.
  const keep = field === 'bio' ? '\n' : '';
  const text = [...value].filter((c) => c === keep || !(c < ' ' || c === '\u007f')).join('');
  if (field === 'displayName') {
    const name = text.trim();
    if (!name) throw new AppError('invalid', 'displayName: cannot be blank');
    return name;
  }
  return text.trim();
}

/**
 * Applies a profile patch for `userId` and appends their member upsert to the
 * community feed, published after commit, so every replica shows the edit.
 * Returns the member as it now is.
 */
export async function updateProfile(
  db: Db,
  writer: Pick<Writer, 'commitAndPublish'>,
  storage: FileStorage,
  userId: string,
  patch: ProfilePatch,
): Promise<Member> {
  // The avatar's bytes are made outside the transaction: image work holds no row locks.
  const avatarId =
    patch.avatarUploadId === undefined
      ? undefined
      : patch.avatarUploadId === null
        ? null
        : await makeAvatar(db, storage, userId, patch.avatarUploadId);
  return writer.commitAndPublish(async (tx, changes) => {
    const sets: string[] = [];
    const values: unknown[] = [userId];
    for (const field of Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]) {
      const value = patch[field];
      if (value === undefined) continue;
      values.push(clean(field, value));
      sets.push(`${COLUMNS[field]} = $${values.length}`);
    }
    if (avatarId !== undefined) {
      values.push(avatarId);
      sets.push(`avatar_file_id = $${values.length}`);
    }
    if (sets.length > 0) {
      await tx.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $1`, values);
    }
    const found = await findMember(tx, userId);
    if (!found) throw new AppError('forbidden', 'Not a member.');
    if (sets.length > 0) {
      await changes.append(tx, COMMUNITY_SCOPE, [
        { op: 'upsert', entity: 'member', id: found.id, data: found },
      ]);
    }
    return found;
  });
}
