import { defineConfig } from 'vitest/config';

// Kept apart from vite.config.ts: the sync engine's tests run in Node (fake-indexeddb, `ws`).
export default defineConfig({
  test: {
    name: 'client',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
