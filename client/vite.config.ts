import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

const apiTarget = process.env.ECHORA_API_TARGET ?? 'http://127.0.0.1:3000';

/**
 * The server's CSP allows no eval (`script-src 'self'`). TypeBox probes for
 * `new Function` on first use and falls back to its interpreter when the
 * probe throws; the probe alone is a CSP violation report in every session.
 * This tells TypeBox up front that eval is unavailable, so the client runs
 * the interpreter it would have used anyway, without the probe.
 */
function typeboxWithoutEval(): Plugin {
  const evaluate = /[\\/]typebox[\\/]build[\\/]system[\\/]environment[\\/]evaluate\.mjs$/;
  return {
    name: 'echora:typebox-without-eval',
    enforce: 'pre',
    load(id) {
      if (!evaluate.test(id)) return undefined;
      return [
        'export function CanEvaluate() { return false; }',
        "export function Evaluate() { throw new Error('eval is disabled by the Content-Security-Policy'); }",
      ].join('\n');
    },
  };
}

export default defineConfig({
  plugins: [
    typeboxWithoutEval(),
    svelte(),
    VitePWA({
      strategies: 'generateSW',
      // 'prompt': a new version waits until the user chooses "Reload", so a
      // half-typed message is never lost to a surprise reload.
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Echora',
        short_name: 'Echora',
        description: 'Self-hosted, offline-first chat.',
        theme_color: '#1e1f22',
        background_color: '#313338',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        // Share to Echora: another app's "Share" posts here; the service
        // worker keeps it and asks where it goes (public/share-sw.js).
        share_target: {
          action: '/share',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'title',
            text: 'text',
            url: 'url',
            files: [{ name: 'files', accept: ['image/*', 'video/*', 'audio/*', '*/*'] }],
          },
        },
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: '/icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,ico,webmanifest,woff2}'],
        navigateFallback: '/index.html',
        // The API is never the app shell: a navigation to /api/* must reach the server.
        navigateFallbackDenylist: [/^\/api(\/|$)/],
        cleanupOutdatedCaches: true,
        // Web Push: showing a push and opening the app at its message (public/push-sw.js).
        importScripts: ['push-sw.js', 'share-sw.js'],
        // Files never change under their id: media seen once show offline too.
        // (Access is checked when they are first fetched; the cache is this browser's.)
        runtimeCaching: [
          {
            urlPattern: ({ url, request }) =>
              request.method === 'GET' &&
              /^\/api\/files\/[0-9a-f-]{36}(\/thumb)?$/.test(url.pathname),
            handler: 'CacheFirst',
            options: {
              cacheName: 'echora-files',
              expiration: {
                maxEntries: 500,
                maxAgeSeconds: 30 * 24 * 3600,
                purgeOnQuotaError: true,
              },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
      },
    }),
  ],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: apiTarget, ws: true, changeOrigin: false },
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', sourcemap: true },
});
