#!/usr/bin/env bash
# Runs every test: installs missing system libraries, then `swift test`, then
# (without arguments) scripts/acceptance.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests 2>&1 | grep -Ev '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Write|Emitting|Planning)' || true
swift test --disable-xctest "$@"
# Without arguments (a full run, as CI does): install under a temp prefix and
# check the man page, completions and `saveimg scan` as a user would.
if [ $# -eq 0 ]; then bash scripts/acceptance.sh; fi
