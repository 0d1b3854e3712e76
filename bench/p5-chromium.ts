/**
 * P5 in Chromium — catch-up of 10k missed messages into the app's replica
 * on the browser's own IndexedDB: the page is the built client served by a
 * real server (so the replica lives on the app's origin), and the frames go
 * through the app's `applyChanges` (see p5-browser-apply.ts). Baseline: raw
 * `bulkPut` of the same rows in the same page, same run. Needs the built
 * client (`npm run build -w client`) and /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Figure } from './lib/figure.ts';
import { printTable } from './lib/figure.ts';
import { bundleForPage } from './lib/bundle.ts';
import { startEchora } from './lib/echora.ts';
import { repoRoot } from '@echora/testkit';
import { chromiumArgs, executablePath } from '../e2e/chromium.ts';

const MISSED = Number(process.env.P5_MESSAGES ?? 10_000);

/** Runs the Chromium half of P5 and returns its figure. */
export async function p5Chromium(): Promise<Figure> {
  const dist =
    process.env.P5_CLIENT_DIST ?? process.env.P6_CLIENT_DIST ?? join(repoRoot, 'client/dist');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`P5 (Chromium) needs the built client in ${dist}: run npm run build -w client`);
  }
  const work = await mkdtemp(join(tmpdir(), 'echora-p5-'));
  const script = await bundleForPage('bench/p5-browser-apply.ts', 'P5Browser', work);
  const server = await startEchora({ CLIENT_DIST: dist });
  const browser = await chromium.launch({ executablePath, args: chromiumArgs, headless: true });
  try {
    // The app's CSP (script-src 'self') would refuse the injected bench script.
    const page = await browser.newPage({ bypassCSP: true });
    await page.goto(server.url);
    await page.addScriptTag({ path: script });
    const { value, base } = await page.evaluate<{ value: number; base: number }>(
      `P5Browser.run(${MISSED})`,
    );
    return {
      id: 'P5',
      name: `catch-up of ${MISSED} missed messages into the replica (Chromium, IndexedDB)`,
      value,
      unit: 'ms',
      baselineName: 'raw bulkPut of the same rows',
      baseline: base,
      better: 'lower',
    };
  } finally {
    await browser.close();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(printTable([await p5Chromium()]));
}
