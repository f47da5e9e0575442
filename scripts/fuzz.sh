#!/bin/sh
# Builds the libFuzzer target (Sources/saveimg-fuzz) with ASan and runs it.
#
#   scripts/fuzz.sh SECONDS [extra libFuzzer flags...]
#
# FUZZ_SANITIZE=fuzzer builds without AddressSanitizer (about twice as many
# executions per second; Swift's own bounds and overflow checks still trap).
#
# The seed corpus is generated from the real fixtures (scripts/fuzz-seeds.py)
# into .build-fuzz/seeds; new inputs go to .build-fuzz/corpus, crashes to
# .build-fuzz/artifacts. Not run in CI; figures are recorded in BENCHMARKS.md.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
sanitize=${FUZZ_SANITIZE:-fuzzer,address}
scratch=.build-fuzz
build=$scratch
[ "$sanitize" = "fuzzer,address" ] || build=$scratch/$(echo "$sanitize" | tr , -)
swift build -c release --product saveimg-fuzz --scratch-path "$build" \
    -Xswiftc -sanitize="$sanitize" -Xswiftc -DSAVEIMG_FUZZ 2>&1 \
    | grep -v "Cannot export local symbol" || true
binary="$build/release/saveimg-fuzz"
[ -x "$binary" ] || { echo "fuzz.sh: build failed" >&2; exit 2; }
python3 scripts/fuzz-seeds.py "$scratch/seeds"
mkdir -p "$scratch/corpus" "$scratch/artifacts"
# The Swift backtracer trips ASan and can leave an orphan holding pipes open.
ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=16} \
SWIFT_BACKTRACE=enable=no exec "$binary" -max_total_time="$seconds" -max_len=72000 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$scratch/artifacts/" "$@" "$scratch/corpus" "$scratch/seeds"
