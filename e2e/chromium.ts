/**
 * How every browser test and browser benchmark launches Chromium: Debian's
 * build, never a downloaded browser (`npx playwright install` needs the
 * internet), with the flags that keep it off the network it cannot reach.
 */
export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
