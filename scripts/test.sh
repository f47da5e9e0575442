#!/usr/bin/env bash
# Runs every test: installs missing system libraries, then `swift test`, then
# (without arguments) a short run of every fuzz harness (scripts/fuzz-smoke.sh) and
# scripts/acceptance.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests 2>&1 | grep -Ev '^(\[[0-9]+/[0-9]+\]|Building|Compiling|Write|Emitting|Planning)' || true
# As root (CI), the root/strace/mount tests must run: a missing tool is a failure, not a skip.
if [ "$(id -u)" -eq 0 ]; then export SAVEIMG_REQUIRE_PRIVILEGED_TESTS=1; fi
swift test --disable-xctest "$@"
# Without arguments: a short run of every fuzz harness (a few seconds each).
if [ $# -eq 0 ]; then bash scripts/fuzz-smoke.sh 5; fi
# Without arguments (a full run, as CI does): install under a temp prefix and
# check the man page, completions and `saveimg scan` as a user would.
if [ $# -eq 0 ]; then bash scripts/acceptance.sh; fi
