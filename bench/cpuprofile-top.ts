/**
 * Sums a V8 .cpuprofile's self time by function and script, busiest first.
 *
 *   npx tsx bench/cpuprofile-top.ts FILE.cpuprofile [--top=40] [--from=S] [--to=S] [--timeline]
 *
 * `--from`/`--to` keep the samples between those seconds after the profile
 * started (e.g. only P8's measuring window); `--timeline` prints the busy
 * share of each second first, to find that window. Percentages are of busy
 * time: everything but `(idle)`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const option = (name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (!file) {
  console.error('usage: cpuprofile-top.ts FILE [--top=N] [--from=S] [--to=S] [--timeline]');
  process.exit(2);
}
const top = Number(option('top') ?? 40);
const from = Number(option('from') ?? 0) * 1e6;
const to = Number(option('to') ?? Number.POSITIVE_INFINITY) * 1e6;

const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** A short place for a script: the package and file inside node_modules, or the repo path. */
function place(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const src = url.search(/\/(sfu|shared|bench|testkit|sync-server)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}

const selfUs = new Map<string, number>();
const perSecond: { busy: number; all: number }[] = [];
let at = 0;
let busy = 0;
let all = 0;
for (let i = 0; i < profile.samples.length; i++) {
  // A sample's delta is the time before it; charge it to this sample (V8's convention).
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  const node = byId.get(profile.samples[i] ?? -1);
  if (!node) continue;
  const idle = node.callFrame.functionName === '(idle)';
  const second = Math.floor(at / 1e6);
  const slot = (perSecond[second] ??= { busy: 0, all: 0 });
  slot.all += delta;
  if (!idle) slot.busy += delta;
  if (at < from || at > to) continue;
  all += delta;
  if (idle) continue;
  busy += delta;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'}  ${place(url)}${url ? `:${lineNumber + 1}` : ''}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
}

if (args.includes('--timeline'))
  for (const [second, slot] of perSecond.entries())
    if (slot)
      console.log(
        `${String(second).padStart(4)} s  busy ${Math.round((slot.busy / slot.all) * 100)}%`,
      );

const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
console.log(`busy ${ms(busy)} ms of ${ms(all)} ms sampled`);
const rows = [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [key, us] of rows)
  console.log(`${ms(us)} ms ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
