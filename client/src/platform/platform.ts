import type { Shared } from '../lib/share.ts';
import type { Notifier } from './notifier.ts';

/**
 * What differs between the browser, the installed PWA and the Capacitor
 * shell. Screens and state ask this, never `window` directly, for these.
 */
export interface Platform {
  readonly kind: 'web' | 'pwa' | 'capacitor';
  /**
   * True when the app does not come from a community's server (the phone
   * apps): it asks for the server's address at first launch.
   */
  readonly needsServerAddress: boolean;
  /**
   * True when the server's media cookie reaches `<img src>` (the page comes
   * from the server). False in the phone apps, where that cookie is a third
   * party's: media load with the token in a header, into `blob:` URLs.
   */
  readonly mediaCookies: boolean;
  /** The device believes it has a network (a hint: only the socket knows). */
  isOnline(): boolean;
  /** Calls back when the device's network comes or goes. */
  onOnlineChange(cb: (online: boolean) => void): () => void;
  /** Calls back when the app is hidden or shown. */
  onVisibilityChange(cb: (visible: boolean) => void): () => void;
  /** Calls back when the app returns to the foreground after being in the background. */
  onResume(cb: () => void): () => void;
  /**
   * The Android back button: handlers run newest first until one answers true
   * (it closed a panel); when none does, the app goes back or leaves.
   */
  onBack(handler: () => boolean): () => void;
  /** Colours the system status bar (phones) to match the theme. */
  setStatusBar(theme: { dark: boolean; color: string }): Promise<void>;
  /**
   * Where a native app keeps its refresh token (Keychain, Keystore); absent
   * in browsers, where an httpOnly cookie holds it.
   */
  readonly secrets: SecretStore | undefined;
  /** Asks the browser not to evict the replica under storage pressure. */
  requestPersistentStorage(): Promise<boolean>;
  /**
   * What another app shared into Echora to open it (text, a link, files),
   * taken once; null when the app was opened another way.
   */
  takeShared(): Promise<Shared | null>;
  /** Notifications the running app shows (page ones in browsers, local ones on phones) and their taps. */
  readonly notifications: Notifier;
}

/** A small key-value store for secrets. */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}
