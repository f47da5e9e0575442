#!/bin/sh
# A short run of every fuzz harness (image, xml, stream, edit, sparse): builds the
# libFuzzer target (without ASan, to keep it quick), generates the seeds from
# the fixtures, then runs each harness over its seeds and for a few seconds
# more. Fails when a harness crashes or breaks an invariant. Called by
# scripts/test.sh; works as root on a fresh clone.
#
#   scripts/fuzz-smoke.sh [SECONDS per harness, default 5]
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-5}
scratch=.build-fuzz
build=$scratch/fuzzer
mkdir -p "$scratch"
if ! swift build -c release --product saveimg-fuzz --scratch-path "$build" \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DSAVEIMG_FUZZ > "$scratch/smoke-build.log" 2>&1; then
    tail -30 "$scratch/smoke-build.log" >&2
    echo "fuzz-smoke: build failed (log: $scratch/smoke-build.log)" >&2
    exit 2
fi
rm -rf "$scratch/smoke"
python3 scripts/fuzz-seeds.py "$scratch/smoke/seeds"
status=0
for harness in image xml stream edit sparse; do
    mkdir -p "$scratch/smoke/corpus/$harness" "$scratch/smoke/artifacts/$harness"
    case $harness in stream|sparse) dict=scripts/fuzz-stream.dict ;; *) dict=scripts/fuzz-xml.dict ;; esac
    if SAVEIMG_FUZZ_HARNESS=$harness SWIFT_BACKTRACE=enable=no "$build/release/saveimg-fuzz" \
        -max_total_time="$seconds" -max_len=200000 -dict="$dict" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$scratch/smoke/artifacts/$harness/" "$scratch/smoke/corpus/$harness" \
        "$scratch/smoke/seeds/$harness" > "$scratch/smoke/$harness.log" 2>&1; then
        echo "fuzz-smoke: $harness: $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$scratch/smoke/$harness.log" | tail -1)"
    else
        echo "fuzz-smoke: $harness FAILED (log: $scratch/smoke/$harness.log, inputs: $scratch/smoke/artifacts/$harness/)" >&2
        tail -20 "$scratch/smoke/$harness.log" >&2
        status=1
    fi
done
exit $status
