import { defineConfig, type LaunchOptions } from '@playwright/test';
import { chromiumArgs, executablePath } from './chromium.ts';

const chromium: LaunchOptions = { executablePath, args: chromiumArgs };
const chromiumWithFakeMedia: LaunchOptions = {
  executablePath,
  args: [...chromiumArgs, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
};

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  // Two cores: each worker runs a browser and a server of its own.
  workers: 2,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  // Generous: the specs share two cores with a server, two browsers and often other work.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    // The voice specs first: their long file at the end left the other worker idle.
    {
      name: 'voice',
      testMatch: '**/voice*.spec.ts',
      use: { launchOptions: chromiumWithFakeMedia, permissions: ['microphone', 'camera'] },
    },
    {
      name: 'chromium',
      testIgnore: '**/voice*.spec.ts',
      use: { launchOptions: chromium },
    },
  ],
});
