/**
 * One line of the benchmark table. `ratio` is value / baseline; `better` says
 * which direction is good so the reader knows whether 0.8 is a win or a loss.
 */
export interface Figure {
  id: string;
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  better: 'higher' | 'lower';
  notes?: string;
  /** The 1-minute load average when the figure was taken (the machine is shared). */
  load?: number;
}

export function ratio(f: Figure): number {
  return f.baseline === 0 ? Number.NaN : f.value / f.baseline;
}

export function printTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    `${fmt(f.value)} ${f.unit}`,
    `${fmt(f.baseline)} ${f.unit} (${f.baselineName})`,
    `${fmt(ratio(f))}× (${f.better} is better)`,
    f.load === undefined ? '' : f.load.toFixed(1),
  ]);
  const head = ['figure', 'what', 'value', 'baseline (same run)', 'ratio', 'load'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  // Small ratios (0.0034×) keep two significant digits rather than rounding to 0.00.
  if (n !== 0 && Math.abs(n) < 0.1) return n.toPrecision(2);
  return n.toFixed(2);
}
