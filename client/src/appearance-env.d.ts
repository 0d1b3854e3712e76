import type { UserSettingValues } from '@echora/shared';

/** `public/appearance.js`: applies appearance settings to <html> (loaded before the app). */
interface EchoraAppearance {
  apply(settings: Partial<UserSettingValues>): void;
  stored(): Partial<UserSettingValues>;
  /** Applies and keeps them for the next start; null forgets them. */
  remember(settings: Partial<UserSettingValues> | null): void;
}

declare global {
  interface Window {
    echoraAppearance?: EchoraAppearance;
  }
}
