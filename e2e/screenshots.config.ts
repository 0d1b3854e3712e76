import { defineConfig } from '@playwright/test';
import { chromiumArgs, executablePath } from './chromium.ts';
import base from './playwright.config.ts';

/**
 * `npm run screenshots`: runs `screenshots.ts` alone, which writes the main
 * screens in both themes to `e2e/screenshots/` (git-ignored) for a reviewer.
 */
export default defineConfig({
  ...base,
  testMatch: 'screenshots.ts',
  workers: 1,
  projects: [
    {
      name: 'screenshots',
      use: { launchOptions: { executablePath, args: chromiumArgs } },
    },
  ],
});
