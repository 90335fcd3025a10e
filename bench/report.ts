import { performance } from 'node:perf_hooks';
/** One measured figure of a benchmark section, compared with its baseline and its target. */
export interface Figure {
  /** What was measured, e.g. "median tool call latency". */
  name: string;
  /** The measured value (in `unit`). */
  value: number;
  /** The same measurement through the baseline (in `unit`). */
  baseline: number;
  /** The unit of `value` and `baseline`. Default `ms`. */
  unit?: string;
  /** What the baseline is, e.g. "bare SDK v2 Client". */
  baselineName: string;
  /** The highest acceptable `value / baseline`. */
  target: number;
  /** Extra facts worth printing (sample counts, spread). */
  notes?: string;
}

/** A benchmark section: sets up its own servers, measures, cleans up. */
export interface Section {
  title: string;
  run(): Promise<Figure[]>;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A percentile (0–100) of a non-empty list, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Print a figure with its baseline, the ratio and whether it meets the target; returns whether it does. */
export function printFigure(figure: Figure, out: (line: string) => void): boolean {
  const ratio = figure.value / figure.baseline;
  const ok = ratio <= figure.target;
  out(`  ${figure.name}`);
  const unit = figure.unit ?? 'ms';
  const show = (n: number) => (unit === 'ms' ? n.toFixed(3) : String(n));
  out(`    mcptool:  ${show(figure.value)} ${unit}`);
  out(`    baseline: ${show(figure.baseline)} ${unit} (${figure.baselineName})`);
  const target = figure.target < 0.01 && figure.target > 0 ? String(figure.target) : figure.target.toFixed(2);
  out(`    ratio:    ${ratio.toFixed(3)} (target <= ${target}) ${ok ? 'OK' : 'ABOVE TARGET'}`);
  if (figure.notes) out(`    ${figure.notes}`);
  return ok;
}

/**
 * Time two operations against each other on the same machine in the same run: `warmup` calls of each first, then
 * up to `calls` timed calls of each, interleaved and alternating which goes first (so drift and noise hit both
 * sides alike), stopping early at `budgetMs`. Returns the durations in ms.
 */
export async function timeInterleaved(
  measured: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  options: { calls: number; warmup: number; budgetMs: number },
): Promise<{ measured: number[]; baseline: number[] }> {
  for (let i = 0; i < options.warmup; i++) {
    await measured();
    await baseline();
  }
  const times = { measured: [] as number[], baseline: [] as number[] };
  const time = async (fn: () => Promise<unknown>, into: number[]) => {
    const start = performance.now();
    await fn();
    into.push(performance.now() - start);
  };
  const deadline = performance.now() + options.budgetMs;
  for (let i = 0; i < options.calls && performance.now() < deadline; i++) {
    if (i % 2 === 0) {
      await time(measured, times.measured);
      await time(baseline, times.baseline);
    } else {
      await time(baseline, times.baseline);
      await time(measured, times.measured);
    }
  }
  return times;
}
