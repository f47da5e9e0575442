#!/bin/sh
# Builds the libFuzzer targets (Sources/saveimg-fuzz) and runs one harness.
#
#   scripts/fuzz.sh SECONDS [extra libFuzzer flags...]
#   FUZZ_HARNESS=xml scripts/fuzz.sh 600 -jobs=1
#
# FUZZ_HARNESS: image (default: whole image files), xml (tree edits of the
# domain XML and cookie), stream (the deep check's migration stream walker),
# edit (random edit sequences through the planner), sparse (mapped-ram
# images through the layout reader and the raw stream); see
# Sources/saveimg-fuzz/main.swift.
#
# FUZZ_SANITIZE (default fuzzer,address): `fuzzer` builds without
# AddressSanitizer (about twice as many executions per second; Swift's own
# bounds and overflow checks still trap).
#
# The seed corpora are generated from the real fixtures (scripts/fuzz-seeds.py)
# into .build-fuzz/seeds/HARNESS; new inputs go to .build-fuzz/corpus/HARNESS,
# crashes to .build-fuzz/artifacts/HARNESS. Figures are in BENCHMARKS.md;
# scripts/fuzz-smoke.sh runs every harness briefly (scripts/test.sh calls it).
# Run long sessions with `nice -n 19` on a shared machine.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
harness=${FUZZ_HARNESS:-image}
sanitize=${FUZZ_SANITIZE:-fuzzer,address}
scratch=.build-fuzz
build=$scratch
[ "$sanitize" = "fuzzer,address" ] || build=$scratch/$(echo "$sanitize" | tr , -)
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
    swift build -c release --product saveimg-fuzz --scratch-path "$build" \
        -Xswiftc -sanitize="$sanitize" -Xswiftc -DSAVEIMG_FUZZ 2>&1 \
        | grep -v "Cannot export local symbol" || true
fi
binary="$build/release/saveimg-fuzz"
[ -x "$binary" ] || { echo "fuzz.sh: build failed" >&2; exit 2; }
[ -d "$scratch/seeds/$harness" ] || python3 scripts/fuzz-seeds.py "$scratch/seeds"
mkdir -p "$scratch/corpus/$harness" "$scratch/artifacts/$harness"
case $harness in
    stream) dict="-dict=scripts/fuzz-stream.dict"; max_len=200000 ;;
    edit) dict="-dict=scripts/fuzz-xml.dict"; max_len=80000 ;;
    sparse) dict="-dict=scripts/fuzz-stream.dict"; max_len=200000 ;;
    *) dict="-dict=scripts/fuzz-xml.dict"; max_len=72000 ;;
esac
# The Swift backtracer trips ASan and can leave an orphan holding pipes open.
ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=16} \
SAVEIMG_FUZZ_HARNESS=$harness SWIFT_BACKTRACE=enable=no exec "$binary" -max_total_time="$seconds" \
    -max_len="$max_len" "$dict" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$scratch/artifacts/$harness/" "$@" "$scratch/corpus/$harness" "$scratch/seeds/$harness"
