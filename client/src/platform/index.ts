import { SecureStorage } from '@aparajita/capacitor-secure-storage';
import { App } from '@capacitor/app';
import { Capacitor } from '@capacitor/core';
import { Network } from '@capacitor/network';
import { StatusBar } from '@capacitor/status-bar';
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

export const platform: Platform = choosePlatform(
  () => Capacitor.isNativePlatform(),
  () =>
    createCapacitorPlatform({
      network: Network,
      app: App,
      statusBar: StatusBar,
      secureStorage: SecureStorage,
      historyBack: () => history.back(),
    }),
  createWebPlatform,
);
