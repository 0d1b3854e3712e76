import { defineConfig } from 'vitest/config';

// One run for every workspace; each project has its own config beside its code.
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one on these 2-core
    // machines. Most files wait on databases, sockets and child processes, so
    // two run side by side (each has its own database or schema): 406 s → 294 s.
    maxWorkers: 2,
    projects: ['shared', 'testkit', 'sync-server', 'sfu', 'client'],
  },
});
