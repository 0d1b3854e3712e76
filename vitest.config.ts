import { defineConfig } from 'vitest/config';

// One run for every workspace; each project has its own config beside its code.
export default defineConfig({
  test: {
    projects: ['shared', 'sync-server', 'sfu', 'client'],
  },
});
