import type { Platform } from './index.ts';

function detectKind(): Platform['kind'] {
  if ((globalThis as { Capacitor?: unknown }).Capacitor) return 'capacitor';
  if (typeof matchMedia === 'function' && matchMedia('(display-mode: standalone)').matches) {
    return 'pwa';
  }
  return 'web';
}

/** The browser implementation; the PWA and Capacitor shells run the same web APIs. */
export const platform: Platform = {
  kind: detectKind(),
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
  async requestPersistentStorage() {
    if (!navigator.storage?.persist) return false;
    if (await navigator.storage.persisted()) return true;
    return navigator.storage.persist();
  },
};
