/**
 * `npm run bench [name …]`: runs every test/bench/*.bench.ts (or those whose file name contains a
 * given name), prints this run's figures beside their targets and merges them into
 * bench-results.json by name, so running one benchmark keeps the others' last figures.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, mergeResults, parseResults, type BenchResult } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const resultsFile = path.join(root, 'bench-results.json');
const only = process.argv.slice(2);

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const results: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: () => Promise<BenchResult[]> };
  process.stdout.write(`running ${file} …\n`);
  results.push(...(await mod.run()));
}

for (const l of formatTable(results)) console.log(l);

function previousResults(): BenchResult[] {
  if (!existsSync(resultsFile)) return [];
  try {
    return parseResults(JSON.parse(readFileSync(resultsFile, 'utf8')));
  } catch {
    console.warn(`bench: ${path.basename(resultsFile)} is not JSON; starting it afresh`);
    return [];
  }
}

const merged = mergeResults(previousResults(), results);
writeFileSync(resultsFile, JSON.stringify(merged, null, 2) + '\n');
console.log(`${path.basename(resultsFile)}: ${merged.length} rows (${results.length} from this run)`);
