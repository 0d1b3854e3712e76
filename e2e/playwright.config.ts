import { defineConfig, type LaunchOptions } from '@playwright/test';

// Debian's Chromium, never a downloaded browser: `npx playwright install` needs the internet.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
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
    {
      name: 'chromium',
      testIgnore: '**/voice*.spec.ts',
      use: { launchOptions: chromium },
    },
    {
      name: 'voice',
      testMatch: '**/voice*.spec.ts',
      use: { launchOptions: chromiumWithFakeMedia, permissions: ['microphone', 'camera'] },
    },
  ],
});
