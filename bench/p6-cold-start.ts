/**
 * P6 — cold start: time from navigation to the first message of the last
 * channel painted, in Chromium, with 100k messages cached in the replica,
 * against the same page with a near-empty replica measured in the same run.
 * Needs the built client (`npm run build -w client`) and /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import type { Figure } from './lib/figure.ts';
import { printTable } from './lib/figure.ts';
import { startEchora } from './lib/echora.ts';
import { repoRoot } from '@echora/testkit';
import { chromiumArgs, executablePath } from '../e2e/chromium.ts';

const CACHED = Number(process.env.P6_MESSAGES ?? 100_000);
const RUNS = Number(process.env.P6_RUNS ?? 5);
// A message row inside the message list (role="log"), as the app renders it.
const painted = `(() => {
  const hit = document.querySelector('[role="log"] article');
  if (hit && window.__p6 === undefined) window.__p6 = performance.now();
  return hit !== null;
})()`;

/** Bundles p6-replica-seed.ts (and the app's replica code it imports) into one IIFE file. */
async function bundleSeed(outDir: string): Promise<string> {
  await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: {
        entry: join(repoRoot, 'bench/p6-replica-seed.ts'),
        name: 'P6Seed',
        formats: ['iife'],
        fileName: () => 'p6-seed.js',
      },
    },
  });
  return join(outDir, 'p6-seed.js');
}

/** Every wait in P6 is bounded: a start that does not paint fails the figure, it never hangs it. */
const WAIT_MS = Number(process.env.P6_WAIT_MS ?? 60_000);

/** Writing 100k rows takes tens of seconds on a loaded machine; still bounded. */
const SEED_MS = Number(process.env.P6_SEED_MS ?? 600_000);

/** `work`, or a loud failure after `ms` (`page.evaluate` itself has no timeout). */
async function within<T>(what: string, work: Promise<T>, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`P6: ${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the page shows, for the error when a start does not paint. */
async function describe(page: Page): Promise<string> {
  const text = await within('reading the page', page.evaluate('document.body.innerText')).catch(
    (e: unknown) => `(unreadable: ${String(e)})`,
  );
  return `${page.url()}: ${String(text).replace(/\s+/g, ' ').slice(0, 400)}`;
}

/** Reloads `page` `runs` times and returns the median ms from navigation start to a painted message. */
async function coldStarts(page: Page, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    await page.reload({ waitUntil: 'commit', timeout: WAIT_MS });
    try {
      await page.waitForFunction(painted, undefined, { polling: 'raf', timeout: WAIT_MS });
    } catch (error) {
      throw new Error(
        `P6: reload ${i + 1} painted no message; the page shows ${await describe(page)}`,
        {
          cause: error,
        },
      );
    }
    times.push(Number(await within('reading the paint time', page.evaluate('window.__p6'))));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function signUp(page: Page, baseURL: string): Promise<void> {
  await page.goto(baseURL);
  await page.getByLabel('Username').fill(`p6user${Date.now().toString(36)}`);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  const composer = page.getByRole('textbox', { name: /^Message #/ });
  await composer.waitFor({ timeout: 60_000 });
  await composer.fill('P6: the newest message');
  await composer.press('Enter');
  // Sent and confirmed: the replica holds it as a server row.
  await page.getByText('sending…').waitFor({ state: 'detached', timeout: 30_000 });
}

/** Runs P6 and returns its figure. */
export async function p6(): Promise<Figure[]> {
  const dist = process.env.P6_CLIENT_DIST ?? join(repoRoot, 'client/dist');
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`P6 needs the built client in ${dist}: run npm run build -w client`);
  }
  const work = await mkdtemp(join(tmpdir(), 'echora-p6-'));
  const seedScript = await bundleSeed(work);
  const server = await startEchora({ CLIENT_DIST: dist });
  const browser = await chromium.launch({ executablePath, args: chromiumArgs, headless: true });
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      bypassCSP: true,
    });
    const page = await context.newPage();
    await signUp(page, server.url);
    const baseline = await coldStarts(page, RUNS);

    await page.addScriptTag({ path: seedScript });
    const seeded = await within(
      'seeding the replica',
      page.evaluate<{ channelId: string; total: number }>(`P6Seed.seed(${CACHED})`),
      SEED_MS,
    );
    if (seeded.total < CACHED) throw new Error(`P6: only ${seeded.total} messages cached`);
    const value = await coldStarts(page, RUNS);
    // The figure only means something if the cache was still there for every reload.
    await page.addScriptTag({ path: seedScript });
    const kept = await within(
      'counting the cache',
      page.evaluate<number>(`P6Seed.count(${JSON.stringify(seeded.channelId)})`),
    );
    if (kept < CACHED) throw new Error(`P6: the app pruned the cache to ${kept} messages`);

    return [
      {
        id: 'P6',
        name: `cold start to last channel painted, ${CACHED.toLocaleString('en-US')} cached messages (Chromium)`,
        value,
        unit: 'ms',
        baselineName: 'same page, replica with 1 message',
        baseline,
        better: 'lower',
        notes: `median of ${RUNS} reloads each; navigation start to the first message row in the list`,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(printTable(await p6()));
}
