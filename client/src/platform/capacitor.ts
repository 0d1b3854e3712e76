import type { AppPlugin } from '@capacitor/app';
import type { NetworkPlugin } from '@capacitor/network';
import { Style, type StatusBarPlugin } from '@capacitor/status-bar';
import type { SecureStoragePlugin } from '@aparajita/capacitor-secure-storage';
import type { PluginListenerHandle } from '@capacitor/core';
import type { SendIntentPlugin } from 'send-intent';
import { createLocalNotifier, type LocalNotificationsPort } from './local-notifications.ts';
import type { Platform } from './platform.ts';
import { takeSharedIntent } from './share-intent.ts';

/** The parts of each plugin the app uses, as the plugins publish them. */
export interface CapacitorPlugins {
  network: Pick<NetworkPlugin, 'getStatus' | 'addListener'>;
  app: Pick<AppPlugin, 'addListener' | 'exitApp'>;
  statusBar: Pick<StatusBarPlugin, 'setStyle' | 'setBackgroundColor'>;
  secureStorage: Pick<SecureStoragePlugin, 'getItem' | 'setItem' | 'removeItem'>;
  sendIntent: Pick<SendIntentPlugin, 'checkSendIntentReceived'>;
  localNotifications: LocalNotificationsPort;
  /** Goes back in the web view's history (the back button's default). */
  historyBack: () => void;
  /** Reads a file the app holds (a `file:` URL) through the web view. */
  readFile: (url: string) => Promise<Blob>;
}

/** Listens through a plugin; the returned function removes the listener, even before it was added. */
function listen(add: () => Promise<PluginListenerHandle>): () => void {
  const handle = add().catch(() => undefined);
  return () => void handle.then((h) => h?.remove()).catch(() => undefined);
}

/**
 * The Capacitor shell (Android, iOS): connectivity from `@capacitor/network`,
 * lifecycle and the back button from `@capacitor/app`, secrets in the
 * Keychain or Keystore (`@aparajita/capacitor-secure-storage`), shares
 * from other apps through `send-intent`, notifications while it runs through
 * `@capacitor/local-notifications`.
 */
export function createCapacitorPlatform(plugins: CapacitorPlugins): Platform {
  let online = typeof navigator === 'undefined' ? true : navigator.onLine;
  const onlineListeners = new Set<(online: boolean) => void>();
  const setOnline = (next: boolean) => {
    if (next === online) return;
    online = next;
    for (const cb of onlineListeners) cb(next);
  };
  void plugins.network
    .getStatus()
    .then((status) => setOnline(status.connected))
    .catch(() => undefined);
  void plugins.network
    .addListener('networkStatusChange', (status) => setOnline(status.connected))
    .catch(() => undefined);

  const backHandlers: (() => boolean)[] = [];
  void plugins.app
    .addListener('backButton', ({ canGoBack }) => {
      for (const handler of [...backHandlers].reverse()) if (handler()) return;
      if (canGoBack) plugins.historyBack();
      else void plugins.app.exitApp();
    })
    .catch(() => undefined);

  return {
    kind: 'capacitor',
    needsServerAddress: true,
    mediaCookies: false,
    isOnline: () => online,
    onOnlineChange(cb) {
      onlineListeners.add(cb);
      return () => onlineListeners.delete(cb);
    },
    onVisibilityChange: (cb) =>
      listen(() => plugins.app.addListener('appStateChange', ({ isActive }) => cb(isActive))),
    onResume: (cb) => listen(() => plugins.app.addListener('resume', cb)),
    onBack(handler) {
      backHandlers.push(handler);
      return () => {
        const at = backHandlers.lastIndexOf(handler);
        if (at >= 0) backHandlers.splice(at, 1);
      };
    },
    async setStatusBar({ dark, color }) {
      // Style.Dark is light text, for a dark background.
      await plugins.statusBar.setStyle({ style: dark ? Style.Dark : Style.Light });
      await plugins.statusBar.setBackgroundColor({ color }).catch(() => undefined);
    },
    secrets: {
      get: (key) => plugins.secureStorage.getItem(key),
      set: (key, value) => plugins.secureStorage.setItem(key, value),
      remove: (key) => plugins.secureStorage.removeItem(key),
    },
    // The app's storage is its own; nothing evicts it.
    requestPersistentStorage: () => Promise.resolve(true),
    takeShared: () => takeSharedIntent(plugins.sendIntent, plugins.readFile),
    notifications: createLocalNotifier(plugins.localNotifications),
  };
}
