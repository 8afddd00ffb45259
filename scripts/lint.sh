#!/usr/bin/env bash
# House rules a type checker cannot see.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
# Only main/electron may import electron (importing it from plain Node tries to download the binary):
# `from 'electron'`, `import 'electron'`, `import('electron')`, `require('electron')`, either quote,
# subpaths such as 'electron/main' included; electron-updater too (it imports electron).
electron_import="(from|import)[[:space:]]*\(?[[:space:]]*['\"]electron(-updater)?(/[a-z_-]+)?['\"]|require[[:space:]]*\([[:space:]]*['\"]electron(-updater)?(/[a-z_-]+)?['\"]"
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
# Layering (docs/architecture.md, "Layout"). A rule prints the offending lines, then its name.
layer_rule() { # <message> <pattern> <paths…>
  local msg=$1 pattern=$2; shift 2
  local hits
  hits=$(grep -rnE "$pattern" "$@" --include=*.ts --include=*.tsx --include=*.cts 2>/dev/null || true)
  if [ -n "$hits" ]; then echo "$hits"; echo "lint: $msg"; fail=1; fi
}
# The store is below sync and services: it may use the wire schemas (main/wire/), never them.
layer_rule "store imports sync, services or a shell" "from '(\.\./)+(sync|services|compose|host|electron)/" main/store
# The Electron shell shares the composition root with the host shell, not the host shell itself.
layer_rule "electron imports the host shell" "from '(\.\./)+host/" main/electron
# The common tier (pure rules, the STS engine) loads in any runtime: no Node, no I/O, no node tier.
layer_rule "common tier imports Node or the node tier" "from '(node:|(fs|path|os|crypto|better-sqlite3|ws)['/])|from '(\.\./)+(store|services|sync|host|electron|compose|loaders|config)[/.]" main/domain main/vending/sts
# Only the composition root (main/compose/) chooses implementations: transports, simulators,
# the backend client, the payment gateway and the secure modules are built there and nowhere else.
impl_choice="kiosk-drivers/(printer/(escpos-receipt-printer|transports|simulator)|device-manager/sim/|card/sim/|hid/(hid-module|sim/))|new (BackendClient|HttpPaymentGateway|LocalSecureModule|OnlineSecureModule|EscPosReceiptPrinter)\\("
hits=$(grep -rnE "$impl_choice" main --include=*.ts --include=*.cts 2>/dev/null | grep -v '^main/compose/' || true)
if [ -n "$hits" ]; then echo "$hits"; echo "lint: implementation chosen outside main/compose/"; fail=1; fi
# No focused or skipped tests left behind.
if grep -rnE "\b(it|test|describe)\.(only|skip)\(" test; then
  echo "lint: .only/.skip in tests"; fail=1
fi
# No floating-point money: parseFloat/toFixed on amounts is a smell in core code.
if grep -rnE "parseFloat\(" main kiosk-drivers --include=*.ts; then
  echo "lint: parseFloat in core code"; fail=1
fi
exit $fail
