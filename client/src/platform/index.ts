/**
 * What differs between the browser, the installed PWA and the Capacitor
 * shell. Screens and state ask this, never `window` directly, for these.
 */
export interface Platform {
  readonly kind: 'web' | 'pwa' | 'capacitor';
  /** The device believes it has a network (a hint: only the socket knows). */
  isOnline(): boolean;
  /** Calls back when the device's network comes or goes. */
  onOnlineChange(cb: (online: boolean) => void): () => void;
  /** Calls back when the app is hidden or shown. */
  onVisibilityChange(cb: (visible: boolean) => void): () => void;
  /** Asks the browser not to evict the replica under storage pressure. */
  requestPersistentStorage(): Promise<boolean>;
}

export { platform } from './web.ts';
