/**
 * P20 on the device — both candidate indexes for the search worker (the
 * app's inverted index, and MiniSearch), built over the same N replica
 * messages in Chromium, each query p95 against a linear scan of the same
 * rows in the same page (p20-device-page.ts). Needs /usr/bin/chromium.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, executablePath } from '../e2e/chromium.ts';
import { bundleForPage } from './lib/bundle.ts';
import type { Figure } from './lib/figure.ts';
import { round } from './lib/stats.ts';

const MESSAGES = Number(process.env.P20_DEVICE_MESSAGES ?? 100_000);
const RUNS = Number(process.env.P20_RUNS ?? 10);

interface Timed {
  buildMs: number;
  query: number;
  found: Record<string, number>;
}

export async function p20Device(): Promise<Figure[]> {
  const work = await mkdtemp(join(tmpdir(), 'echora-p20-'));
  const script = await bundleForPage('bench/p20-device-page.ts', 'P20Device', work);
  const browser = await chromium.launch({ executablePath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ path: script });
    const r = await page.evaluate<{ postings: Timed; minisearch: Timed; scan: number }>(
      `P20Device.run(${MESSAGES}, ${RUNS})`,
    );
    const n = MESSAGES.toLocaleString('en-US');
    const figure = (what: string, t: Timed): Figure => ({
      id: 'P20',
      name: `device search p95 over ${n} messages (Chromium, ${what})`,
      value: round(t.query),
      unit: 'ms',
      baselineName: 'linear scan of the same rows',
      baseline: round(r.scan),
      better: 'lower',
      notes: `index built in ${(t.buildMs / 1000).toFixed(1)} s; results per query ${JSON.stringify(t.found)}`,
    });
    return [figure('inverted index, the app', r.postings), figure('MiniSearch', r.minisearch)];
  } finally {
    await browser.close();
    await rm(work, { recursive: true, force: true });
  }
}
