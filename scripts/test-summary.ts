/**
 * The end of `npm test`: names every failure that is not a test (a failed step, missing results,
 * a test file that could not load) on its own line, then prints exactly `N passed, N failed`.
 *   node --import tsx scripts/test-summary.ts [failed step …]   (reads .vitest.json and pw.json)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of vitest's JSON reporter output used here. */
export interface VitestJson {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly testResults: readonly { readonly name: string; readonly status: string; readonly assertionResults: readonly { readonly status: string }[] }[];
}

/** The parts of Playwright's JSON reporter output used here. */
export interface PlaywrightJson {
  readonly stats: { readonly expected: number; readonly unexpected: number; readonly flaky?: number };
}

export interface SummaryInput {
  readonly vitest: VitestJson | null;
  readonly playwright: PlaywrightJson | null;
  /** Steps that failed before the tests (typecheck, lint, vite build, tsc emit): one failure each. */
  readonly failedSteps: readonly string[];
  readonly cwd: string;
}

/** The lines to print; the last one is always `N passed, N failed`. */
export function summarize({ vitest: v, playwright: p, failedSteps, cwd }: SummaryInput): string[] {
  const lines = failedSteps.map((s) => `test: step failed: ${s}`);
  if (!v) lines.push('test: step failed: vitest (no results)');
  if (!p) lines.push('test: step failed: Playwright (no results)');
  // A test file that cannot even load fails no test; it counts as one failure.
  const broken = v ? v.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')) : [];
  for (const f of broken) lines.push(`test: file failed to run: ${path.relative(cwd, f.name)}`);
  const passed = (v?.numPassedTests ?? 0) + (p?.stats.expected ?? 0);
  const failed =
    failedSteps.length +
    (v ? v.numFailedTests + broken.length : 1) +
    (p ? p.stats.unexpected + (p.stats.flaky ?? 0) : 1);
  lines.push(`${passed} passed, ${failed} failed`);
  return lines;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lines = summarize({
    vitest: readJson<VitestJson>('.vitest.json'),
    playwright: readJson<PlaywrightJson>('pw.json'),
    failedSteps: process.argv.slice(2).filter((s) => s !== '--'),
    cwd: process.cwd(),
  });
  for (const l of lines) console.log(l);
}
