/**
 * Shared benchmark harness. Every `test/bench/*.bench.ts` module exports
 * `run(): Promise<BenchResult[]>`; `test/bench/run.ts` discovers them, prints a table and writes
 * bench-results.json. Figures are printed beside their targets, never asserted in tests.
 */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Human-readable target, e.g. ">= 20000" or "<= 1". */
  readonly target: string;
  readonly meets: boolean;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Time `fn` `n` times; returns per-call durations in milliseconds, sorted ascending. */
export function timeEach(n: number, fn: (i: number) => void): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    out[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return out.sort((a, b) => a - b);
}

export function atLeast(name: string, value: number, unit: string, target: number): BenchResult {
  return { name, value: round(value), unit, target: `>= ${target}`, meets: value >= target };
}

export function atMost(name: string, value: number, unit: string, target: number): BenchResult {
  return { name, value: round(value), unit, target: `<= ${target}`, meets: value <= target };
}

export function info(name: string, value: number, unit: string): BenchResult {
  return { name, value: round(value), unit, target: 'n/a', meets: true };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
