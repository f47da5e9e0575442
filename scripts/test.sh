#!/usr/bin/env bash
# Runs every test: installs missing system libraries, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests 2>&1 | grep -Ev '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Write|Emitting|Planning)' || true
swift test --disable-xctest "$@"
