#!/usr/bin/env bash
# Prepares a fresh Debian machine (run as root) for GridDesk: system packages, npm dependencies,
# and a build. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# postgresql: the reference backend's PG store and its tests start throwaway clusters from
# /usr/lib/postgresql/<v>/bin (test/support/pg-cluster.ts); the system service itself is not used.
APT_PACKAGES=(chromium xvfb libusb-1.0-0 fonts-wqy-microhei x11-apps netpbm postgresql)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# better-sqlite3 compiles from source here (~85 s); skip npm ci when the lockfile is unchanged.
stamp=node_modules/.griddesk-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

npm run -s build
