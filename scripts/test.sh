#!/usr/bin/env bash
# npm test: every check and test, ending with one line "N passed, N failed": vitest and Playwright
# tests, plus each failed step (typecheck, lint, vite build, tsc emit) counted as one failure.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
failed_steps=()

# step <name> <command…>: runs the command; a failure is remembered by name and fails the run.
step() {
  local name=$1
  shift
  if ! "$@"; then
    failed_steps+=("$name")
    status=1
  fi
}

step typecheck npm run -s typecheck
step lint npm run -s lint
step "vite build" npx vite build --logLevel warn
step "tsc emit" npx tsc -p tsconfig.json --outDir dist

rm -f .vitest.json pw.json
npx vitest run --reporter=default --reporter=json --outputFile=.vitest.json || status=1

# Headed kiosk tests need a display; xvfb-run provides one.
runner=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then runner=(xvfb-run -a -s "-screen 0 1280x800x24"); fi
PLAYWRIGHT_JSON_OUTPUT_NAME=pw.json "${runner[@]}" npx playwright test --reporter=list,json || status=1

# Failed steps, missing results and unloadable test files each on their own line, then the summary.
if ! node --import tsx scripts/test-summary.ts "${failed_steps[@]}"; then
  echo "test: step failed: summary (scripts/test-summary.ts)"
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
