/**
 * Shared benchmark harness. Every `test/bench/*.bench.ts` module exports
 * `run(): Promise<BenchResult[]>`; `test/bench/run.ts` discovers them, prints a table and merges
 * them into bench-results.json. Figures are printed beside their targets, never asserted in tests.
 */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Human-readable target, e.g. ">= 20000" or "<= 1"; null for an info-only figure. */
  readonly target: string | null;
  /** Whether the value meets the target; null for an info-only figure (nothing to meet). */
  readonly meets: boolean | null;
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
  return { name, value: round(value), unit, target: null, meets: null };
}

/**
 * bench-results.json after a run of some benchmarks: every earlier row stays, a row measured again
 * (same `name`) takes the new figures in place, new rows are appended in the order they ran.
 */
export function mergeResults(previous: readonly BenchResult[], fresh: readonly BenchResult[]): BenchResult[] {
  const byName = new Map(fresh.map((r) => [r.name, r]));
  const merged = previous.map((r) => byName.get(r.name) ?? r);
  const known = new Set(previous.map((r) => r.name));
  return [...merged, ...fresh.filter((r) => !known.has(r.name))];
}

/**
 * Rows of an earlier bench-results.json; rows that are not results are dropped and info rows
 * written by older harnesses (`target: "n/a", meets: true`) are read as info rows.
 */
export function parseResults(json: unknown): BenchResult[] {
  if (!Array.isArray(json)) return [];
  const out: BenchResult[] = [];
  for (const row of json as unknown[]) {
    if (typeof row !== 'object' || row === null) continue;
    const r = row as Record<string, unknown>;
    if (typeof r.name !== 'string' || typeof r.value !== 'number' || typeof r.unit !== 'string') continue;
    const infoOnly = r.target === null || r.target === 'n/a' || typeof r.target !== 'string';
    out.push({
      name: r.name,
      value: r.value,
      unit: r.unit,
      target: infoOnly ? null : (r.target as string),
      meets: infoOnly || typeof r.meets !== 'boolean' ? null : r.meets,
    });
  }
  return out;
}

/** The printed table: info rows show `n/a` as target and `—` for meets. */
export function formatTable(results: readonly BenchResult[]): string[] {
  const rows = results.map((r) => [r.name, `${r.value} ${r.unit}`, r.target ?? 'n/a', r.meets === null ? '—' : r.meets ? 'yes' : 'NO']);
  const head = ['benchmark', 'value', 'target', 'meets'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
