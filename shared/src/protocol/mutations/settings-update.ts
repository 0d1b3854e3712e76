import { Type, type Static } from 'typebox';
import { userSettingFields } from '../user-settings.ts';

/**
 * Change some of one's own settings: only the keys given change, and only
 * known keys with allowed values pass. Synced to the user's other devices.
 */
export const settingsUpdateArgs = Type.Partial(Type.Object(userSettingFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type SettingsUpdateArgs = Static<typeof settingsUpdateArgs>;
