import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Kept apart from vite.config.ts: the sync engine's tests run in Node (fake-indexeddb, `ws`).
export default defineConfig({
  // Compiles the runes in `*.svelte.ts` state classes that tests drive (the session).
  plugins: [svelte({ configFile: false })],
  test: {
    name: 'client',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
