#!/usr/bin/env bash
# npm start: GridDesk on its embedded defaults (reference backend, simulated devices, host shell).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/renderer/index.html ] || npm run -s build
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null && [ "${GRIDDESK_HEADLESS:-}" != 1 ]; then
  echo "start: no display; the UI URL is printed below (open it in a browser on this machine)."
fi
exec node --import tsx scripts/demo.ts "$@"
