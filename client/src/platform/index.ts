import { SecureStorage } from '@aparajita/capacitor-secure-storage';
import { App } from '@capacitor/app';
import { Capacitor } from '@capacitor/core';
import { LocalNotifications } from '@capacitor/local-notifications';
import { Network } from '@capacitor/network';
import { StatusBar } from '@capacitor/status-bar';
import { SendIntent } from 'send-intent';
import { createCapacitorPlatform } from './capacitor.ts';
import type { Platform } from './platform.ts';
import { createWebPlatform } from './web.ts';

export type { Platform, SecretStore } from './platform.ts';

/** The native shell when running inside one, else the browser. */
export function choosePlatform(
  isNative: () => boolean,
  native: () => Platform,
  web: () => Platform,
): Platform {
  return isNative() ? native() : web();
}

/** A file the app holds, through the web view's own file route (no plugin needed). */
async function readAppFile(url: string): Promise<Blob> {
  const response = await fetch(Capacitor.convertFileSrc(url));
  if (!response.ok) throw new Error(`could not read the shared file (${response.status})`);
  return response.blob();
}

export const platform: Platform = choosePlatform(
  () => Capacitor.isNativePlatform(),
  () =>
    createCapacitorPlatform({
      network: Network,
      app: App,
      statusBar: StatusBar,
      secureStorage: SecureStorage,
      sendIntent: SendIntent,
      localNotifications: LocalNotifications,
      historyBack: () => history.back(),
      readFile: readAppFile,
    }),
  createWebPlatform,
);
