import { Type, type Static } from 'typebox';
import { Uuid } from './entities.ts';

/**
 * The id of the user-settings entity. A user scope holds one user's own state,
 * so their settings are a single row there; a fixed id lets a client name it
 * before the server ever sent it (an offline change on a fresh device).
 */
export const USER_SETTINGS_ID = '00000000-0000-0000-0000-000000000000';

/** Every setting a user can change, with its allowed values. */
export const userSettingFields = {
  /** `system` follows the device's light or dark preference. */
  theme: Type.Union([Type.Literal('dark'), Type.Literal('light'), Type.Literal('system')]),
  /** The base font size in CSS pixels; the whole interface scales with it. */
  fontSize: Type.Integer({ minimum: 12, maximum: 20 }),
  /** Messages without avatars and with less space between them. */
  compact: Type.Boolean(),
  /** Always reduce motion (off: follow the device's preference). */
  reduceMotion: Type.Boolean(),
  /** `system` uses the device locale's clock. */
  clock: Type.Union([Type.Literal('12h'), Type.Literal('24h'), Type.Literal('system')]),
  /** Desktop notifications: every message, mentions only, or none. */
  notify: Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('none')]),
  /** Push notifications (app closed) carry the message text, not only who and where. */
  pushPreview: Type.Boolean(),
  /** Who may start a direct conversation with the user: anyone, or those who share a role with them. */
  dms: Type.Union([Type.Literal('everyone'), Type.Literal('sharedRole')]),
};

/** A user's settings (user scope), synced across their devices. */
export const userSettingsSchema = Type.Object({ id: Uuid, ...userSettingFields });
export type UserSettings = Static<typeof userSettingsSchema>;
export type UserSettingValues = Omit<UserSettings, 'id'>;

/** What a user who never changed anything gets. */
export const defaultUserSettings: UserSettingValues = {
  theme: 'dark',
  fontSize: 16,
  compact: false,
  reduceMotion: false,
  clock: 'system',
  notify: 'mentions',
  pushPreview: false,
  dms: 'everyone',
};

/** Stored settings (possibly from an older version, possibly partial) over the defaults. */
export function withDefaults(stored: Partial<UserSettingValues> | null | undefined): UserSettings {
  return { id: USER_SETTINGS_ID, ...defaultUserSettings, ...(stored ?? {}) };
}
