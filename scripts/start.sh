#!/usr/bin/env bash
# npm start: GridDesk on its embedded defaults (reference backend, simulated devices, host shell).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/renderer/index.html ] || npm run -s build
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null && [ "${GRIDDESK_HEADLESS:-}" != 1 ]; then
  echo "start: no display; the UI URL is printed below (open it in a browser on this machine)."
fi
# glibc's allocator raises its mmap threshold each time a large block is freed (up to 32 MB), after
# which blocks that size come from its heap and stay there once freed: after a million-account
# initial pull that kept ~25 MB the core no longer used (docs/architecture.md, "Memory"). The
# thresholds fixed at their defaults (the bench's core is started the same way:
# test/bench/snapshots.bench.ts, CORE_MALLOC_ENV).
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-131072}"
exec node --import tsx scripts/demo.ts "$@"
