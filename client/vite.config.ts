import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

const apiTarget = process.env.ECHORA_API_TARGET ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [
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
        globPatterns: ['**/*.{js,css,html,png,svg,ico,webmanifest}'],
        navigateFallback: '/index.html',
        // The API is never the app shell: a navigation to /api/* must reach the server.
        navigateFallbackDenylist: [/^\/api(\/|$)/],
        cleanupOutdatedCaches: true,
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
