import type { CapacitorConfig } from '@capacitor/cli';

/**
 * The phone apps: Capacitor wraps the built client (`client/dist`). The app
 * does not come from a server, so at first launch it asks for the
 * community's address (see README, "Phones"). `npm run cap:sync` builds the
 * client and copies it, with this file, into `android/` (and `ios/`).
 */
const config: CapacitorConfig = {
  appId: 'chat.echora.app',
  appName: 'Echora',
  webDir: 'client/dist',
  android: {
    // The app's own origin is https://localhost; servers answer it through CORS_ORIGINS.
    allowMixedContent: false,
  },
  plugins: {
    StatusBar: { overlaysWebView: false },
  },
};

export default config;
