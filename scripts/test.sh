#!/usr/bin/env bash
# npm test: every check and test, ending with one line "N passed, N failed" (vitest + Playwright).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

npm run -s typecheck || status=1
npm run -s lint || status=1
npx vite build --logLevel warn || status=1
npx tsc -p tsconfig.json --outDir dist || status=1

rm -f .vitest.json pw.json
npx vitest run --reporter=default --reporter=json --outputFile=.vitest.json || status=1

# Headed kiosk tests need a display; xvfb-run provides one.
runner=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then runner=(xvfb-run -a -s "-screen 0 1280x800x24"); fi
PLAYWRIGHT_JSON_OUTPUT_NAME=pw.json "${runner[@]}" npx playwright test --reporter=list,json || status=1

node -e '
const fs = require("fs");
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
const v = read(".vitest.json"), p = read("pw.json");
const passed = (v ? v.numPassedTests : 0) + (p ? p.stats.expected : 0);
const failed = (v ? v.numFailedTests : 0) + (p ? p.stats.unexpected + (p.stats.flaky || 0) : 0) + (v && p ? 0 : 1);
if (!v) console.error("test: no vitest results"); if (!p) console.error("test: no Playwright results");
console.log(`${passed} passed, ${failed} failed`);
'
exit $status
