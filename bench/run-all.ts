/**
 * `npm run bench`: runs every benchmark, prints one table (figure, value,
 * baseline measured in the same run, ratio) and writes it to
 * bench/results/<time>.json so runs can be compared. `BENCH=P1,P2` picks some.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { printTable, ratio, type Figure } from './lib/figure.ts';
import { p1 } from './p1-fanout.ts';
import { p2 } from './p2-latency.ts';
import { p3 } from './p3-socket-memory.ts';
import { p4 } from './p4-durable-acks.ts';
import { p5 } from './p5-catch-up.ts';
import { p6 } from './p6-cold-start.ts';
import { p7 } from './p7-login-lag.ts';
import { p8 } from './p8-voice.ts';
import { p10 } from './p10-uploads.ts';
import { p18 } from './p18-notes.ts';
import { p20 } from './p20-search.ts';

const all: Record<string, () => Promise<Figure[]>> = {
  P1: p1,
  P2: p2,
  P3: p3,
  P4: p4,
  P5: p5,
  P6: p6,
  P7: p7,
  P8: p8,
  P10: p10,
  P18: p18,
  P20: p20,
};

const picked = (process.env.BENCH ?? Object.keys(all).join(','))
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter(Boolean);

const figures: Figure[] = [];
for (const id of picked) {
  const run = all[id];
  if (!run) {
    console.error(`unknown benchmark ${id}; known: ${Object.keys(all).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  process.stderr.write(`running ${id}…\n`);
  try {
    const load = loadavg()[0] ?? 0;
    figures.push(...(await run()).map((f) => ({ ...f, load })));
  } catch (err) {
    console.error(`${id} failed:`, err);
    process.exitCode = 1;
  }
}

console.log(printTable(figures));
const out = new URL(
  `./results/${new Date().toISOString().replaceAll(':', '-')}.json`,
  import.meta.url,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      figures: figures.map((f) => ({ ...f, ratio: ratio(f) })),
    },
    null,
    2,
  ),
);
console.log(`\nwritten to ${out.pathname}`);

// Every figure closes what it opened, so the run ends by itself. A guard: if
// something still holds the event loop 5 s on (a leaked handle would leave
// `npm run bench` running forever; P18's Yjs awareness timers once did), name
// it and end with 1, so the leak is not mistaken for a clean run.
setTimeout(() => {
  console.error(`bench: still open after the run: ${process.getActiveResourcesInfo().join(', ')}`);
  process.exit(1);
}, 5000).unref();
