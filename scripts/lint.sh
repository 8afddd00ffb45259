#!/usr/bin/env bash
# House rules a type checker cannot see.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
# Only main/electron may import electron (importing it from plain Node tries to download the binary):
# `from 'electron'`, `import 'electron'`, `import('electron')`, `require('electron')`, either quote,
# subpaths such as 'electron/main' included.
electron_import="(from|import)[[:space:]]*\(?[[:space:]]*['\"]electron(/[a-z_-]+)?['\"]|require[[:space:]]*\([[:space:]]*['\"]electron(/[a-z_-]+)?['\"]"
if grep -rnE "$electron_import" main kiosk-drivers renderer test scripts \
  --include=*.ts --include=*.tsx --include=*.cts --include=*.mts --include=*.js --include=*.mjs --include=*.cjs \
  | grep -v '^main/electron/'; then
  echo "lint: electron imported outside main/electron/"; fail=1
fi
# The renderer talks to the core only through the contract (types) and pure helpers.
if grep -rnE "from '(\.\./)+(main/(store|services|sync|host|electron|vending)|kiosk-drivers/(hid|card|scanner))" renderer/src \
  | grep -v "kiosk-drivers/scanner/keystroke-burst-detector.js'"; then
  echo "lint: renderer imports core internals"; fail=1
fi
# No focused or skipped tests left behind.
if grep -rnE "\b(it|test|describe)\.(only|skip)\(" test; then
  echo "lint: .only/.skip in tests"; fail=1
fi
# No floating-point money: parseFloat/toFixed on amounts is a smell in core code.
if grep -rnE "parseFloat\(" main kiosk-drivers --include=*.ts; then
  echo "lint: parseFloat in core code"; fail=1
fi
exit $fail
