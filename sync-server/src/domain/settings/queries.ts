import { withDefaults, type UserSettingValues, type UserSettings } from '@echora/shared';
import type { Queryable } from '../../db/types.ts';

export interface UserSettingsRow extends Record<string, unknown> {
  settings: Partial<UserSettingValues> | string;
}

/** A stored row as the user's devices see it: what they changed, over the defaults. */
export function toUserSettings(row: UserSettingsRow): UserSettings {
  // PGlite and pg both parse jsonb; a string would be a driver that does not.
  const stored =
    typeof row.settings === 'string'
      ? (JSON.parse(row.settings) as Partial<UserSettingValues>)
      : row.settings;
  return withDefaults(stored);
}

/** The user's settings, or undefined when they never changed one (a reset then sends none). */
export async function readUserSettings(
  db: Queryable,
  userId: string,
): Promise<UserSettings | undefined> {
  const { rows } = await db.query<UserSettingsRow>(
    'SELECT settings FROM user_settings WHERE user_id = $1',
    [userId],
  );
  return rows[0] ? toUserSettings(rows[0]) : undefined;
}
