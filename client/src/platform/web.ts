import { dropShareParam, shareIdFrom, takeShared } from '../lib/share.ts';
import { createPageNotifier } from './page-notifications.ts';
import type { Platform } from './platform.ts';

function detectKind(): 'web' | 'pwa' {
  if (typeof matchMedia === 'function' && matchMedia('(display-mode: standalone)').matches) {
    return 'pwa';
  }
  return 'web';
}

/** Back handlers are a phone's; a browser's own back button is history's. */
const noBack = () => () => undefined;

/** The browser and installed PWA implementation. */
export function createWebPlatform(): Platform {
  return {
    kind: detectKind(),
    needsServerAddress: false,
    mediaCookies: true,
    secrets: undefined,
    isOnline: () => navigator.onLine,
    onOnlineChange(cb) {
      const online = () => cb(true);
      const offline = () => cb(false);
      addEventListener('online', online);
      addEventListener('offline', offline);
      return () => {
        removeEventListener('online', online);
        removeEventListener('offline', offline);
      };
    },
    onVisibilityChange(cb) {
      const handler = () => cb(document.visibilityState === 'visible');
      document.addEventListener('visibilitychange', handler);
      return () => document.removeEventListener('visibilitychange', handler);
    },
    onResume(cb) {
      // A tab shown again is the browser's resume; the socket's own backoff covers the rest.
      const handler = () => {
        if (document.visibilityState === 'visible') cb();
      };
      document.addEventListener('visibilitychange', handler);
      return () => document.removeEventListener('visibilitychange', handler);
    },
    onBack: noBack,
    // The `theme-color` meta (set by appearance.js) colours the browser's bar.
    setStatusBar: () => Promise.resolve(),
    requestPersistentStorage: () => requestPersistentStorage(navigator.storage),
    takeShared() {
      // The share target's service worker kept it and opened `?share=<id>`.
      const id = shareIdFrom(location.search);
      if (!id) return Promise.resolve(null);
      dropShareParam();
      // An id whose share is gone (read already, or cleared) says so: empty.
      return takeShared(id).then((found) => found ?? { text: '', files: [] });
    },
    notifications: createPageNotifier(),
  };
}

/** Asks once; answers whether the replica is now kept under storage pressure. */
export async function requestPersistentStorage(
  storage: Pick<StorageManager, 'persist' | 'persisted'> | undefined,
): Promise<boolean> {
  if (!storage?.persist) return false;
  if (await storage.persisted()) return true;
  return storage.persist();
}
