/**
 * `npm test`'s last line counts failed steps and unloadable test files, not only failed tests, and
 * names each on its own line first.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summarize, type PlaywrightJson, type VitestJson } from '../../../scripts/test-summary.js';

const vitest = (over: Partial<VitestJson> = {}): VitestJson => ({
  numPassedTests: 10,
  numFailedTests: 0,
  testResults: [{ name: '/repo/test/unit/a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] }],
  ...over,
});
const pw = (unexpected = 0, flaky = 0): PlaywrightJson => ({ stats: { expected: 5, unexpected, flaky } });

describe('summarize', () => {
  it('all green: just the summary line', () => {
    expect(summarize({ vitest: vitest(), playwright: pw(), failedSteps: [], cwd: '/repo' })).toEqual(['15 passed, 0 failed']);
  });

  it('counts each failed step as one failure and names it before the summary', () => {
    expect(summarize({ vitest: vitest(), playwright: pw(), failedSteps: ['typecheck', 'vite build'], cwd: '/repo' })).toEqual([
      'test: step failed: typecheck',
      'test: step failed: vite build',
      '15 passed, 2 failed',
    ]);
  });

  it('adds failed and flaky tests, missing results and test files that could not load', () => {
    const v = vitest({
      numPassedTests: 3,
      numFailedTests: 1,
      testResults: [
        { name: '/repo/test/unit/broken.test.ts', status: 'failed', assertionResults: [] },
        { name: '/repo/test/unit/red.test.ts', status: 'failed', assertionResults: [{ status: 'passed' }, { status: 'failed' }] },
      ],
    });
    expect(summarize({ vitest: v, playwright: pw(2, 1), failedSteps: ['lint'], cwd: '/repo' })).toEqual([
      'test: step failed: lint',
      'test: file failed to run: test/unit/broken.test.ts',
      '8 passed, 6 failed', // lint + 1 red test + 1 unloadable file + 2 unexpected + 1 flaky
    ]);
    expect(summarize({ vitest: null, playwright: null, failedSteps: [], cwd: '/repo' })).toEqual([
      'test: step failed: vitest (no results)',
      'test: step failed: Playwright (no results)',
      '0 passed, 2 failed',
    ]);
  });

  it('as a script: reads .vitest.json and pw.json from the working directory and takes failed steps as arguments', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-summary-'));
    writeFileSync(path.join(dir, '.vitest.json'), JSON.stringify(vitest()));
    writeFileSync(path.join(dir, 'pw.json'), JSON.stringify(pw(1)));
    const script = path.resolve('scripts', 'test-summary.ts');
    // tsx is resolved from the repository, as `npm test` does from its working directory.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const out = execFileSync(process.execPath, ['--import', tsx, script, 'tsc emit'], { cwd: dir, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['test: step failed: tsc emit', '15 passed, 2 failed']);
  });
});
