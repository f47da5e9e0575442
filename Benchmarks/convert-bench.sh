#!/bin/bash
# Benchmarks for `saveimg convert` and `check --deep` against the external
# programs, on a >= 1 GiB stream that looks like guest memory.
#
#   Benchmarks/convert-bench.sh [WORKDIR]      (default /work/bench-convert)
#
# Builds saveimg in release mode, generates WORKDIR/mem.sav with
# Benchmarks/generate-memory-image.py unless it exists, then runs each case
# once (after one warm read of its input) under /usr/bin/time -v and prints a
# Markdown table: wall seconds, peak RSS, ratio (external time / saveimg time,
# > 1 means saveimg is faster). saveimg fsyncs its output before renaming it;
# the external programs do not, so they are also timed with `sync FILE` after.
# On a busy machine, REPEAT=3 runs every case three times and keeps the
# fastest run of each (saveimg and the external programs alike); every run is
# logged in WORKDIR/runs.log, and `uptime` is printed before and after.
# Needs pigz, gzip, zstd, xz (apt-get install pigz zstd xz-utils).
set -eu
WORK=${1:-/work/bench-convert}
SCRATCH=${SCRATCH:-.build-release}
REPEAT=${REPEAT:-1}
command -v pigz >/dev/null || { echo "pigz missing: apt-get install pigz"; exit 2; }
mkdir -p "$WORK"
: > "$WORK/runs.log"
swift build -c release --scratch-path "$SCRATCH" --product saveimg >/dev/null
BIN="$SCRATCH/release/saveimg"
[ -f "$WORK/mem.sav" ] || python3 Benchmarks/generate-memory-image.py "$WORK/mem.sav" 1536

# The stream alone, for the external programs.
DATA_LEN=$(od -An -tu4 -j20 -N4 "$WORK/mem.sav" | tr -d ' ')
OFFSET=$((92 + DATA_LEN))
tail -c +$((OFFSET + 1)) "$WORK/mem.sav" > "$WORK/stream.raw"
STREAM_BYTES=$(stat -c %s "$WORK/stream.raw")

measure() {  # label, command...  -> prints "seconds rss_kib" (the fastest of $REPEAT runs)
    local label=$1; shift
    local run best=""
    for run in $(seq "$REPEAT"); do
        sync; sleep 1
        /usr/bin/time -f "%e %M" -o "$WORK/time.$label" bash -c "$*" >/dev/null
        echo "$label run $run: $(cat "$WORK/time.$label") ($(cut -d, -f1 /proc/loadavg | cut -d' ' -f1) load)" >> "$WORK/runs.log"
        if [ -z "$best" ] || [ "$(echo "$(cut -d' ' -f1 "$WORK/time.$label") < ${best%% *}" | bc)" = 1 ]; then
            best=$(cat "$WORK/time.$label")
        fi
    done
    echo "$best"
}
warm() { cat "$@" > /dev/null; }

echo "stream: $STREAM_BYTES bytes raw ($(nproc) CPUs, $(date -u +%F), best of $REPEAT run(s) per case)"
echo "load before: $(uptime)"
echo
echo "| case | tool | seconds | MB/s (raw) | peak RSS MiB | output bytes |"
echo "|---|---|---:|---:|---:|---:|"
row() {  # case, tool, "seconds rss", output file
    local s r
    read -r s r <<<"$3"
    printf '| %s | %s | %s | %.0f | %.1f | %s |\n' "$1" "$2" "$s" "$(echo "${BYTES:-$STREAM_BYTES} / $s / 1000000" | bc -l)" \
        "$(echo "$r / 1024" | bc -l)" "$( [ -n "$4" ] && stat -c %s "$4" || echo -)"
}

warm "$WORK/mem.sav" "$WORK/stream.raw"
row "raw->gzip" "saveimg --threads 2" "$(measure sg "$BIN convert $WORK/mem.sav $WORK/mem.gz.sav --overwrite --format gzip --threads 2")" "$WORK/mem.gz.sav"
row "raw->gzip" "pigz -6 -p2" "$(measure pigz "pigz -6 -p2 -c < $WORK/stream.raw > $WORK/stream.pigz")" "$WORK/stream.pigz"
row "raw->gzip" "pigz -6 -p2 + sync" "$(measure pigzs "pigz -6 -p2 -c < $WORK/stream.raw > $WORK/stream.pigz && sync $WORK/stream.pigz")" "$WORK/stream.pigz"
row "raw->gzip" "gzip -6" "$(measure gzip "gzip -6 -c < $WORK/stream.raw > $WORK/stream.gz")" "$WORK/stream.gz"

warm "$WORK/mem.gz.sav" "$WORK/stream.gz"
row "gzip->raw" "saveimg" "$(measure sgd "$BIN convert $WORK/mem.gz.sav $WORK/back.sav --overwrite --format raw")" "$WORK/back.sav"
row "gzip->raw" "gzip -dc" "$(measure gzd "gzip -dc < $WORK/stream.gz > $WORK/stream.back")" "$WORK/stream.back"
row "gzip->raw" "gzip -dc + sync" "$(measure gzds "gzip -dc < $WORK/stream.gz > $WORK/stream.back && sync $WORK/stream.back")" "$WORK/stream.back"
cmp "$WORK/back.sav" "$WORK/mem.sav" && echo "<!-- gzip round trip byte-identical -->"
rm -f "$WORK/back.sav" "$WORK/stream.back"

warm "$WORK/mem.sav" "$WORK/stream.raw"
row "raw->zstd" "saveimg --threads 2" "$(measure sz "$BIN convert $WORK/mem.sav $WORK/mem.zst.sav --overwrite --format zstd --threads 2")" "$WORK/mem.zst.sav"
row "raw->zstd" "zstd -T2 -3" "$(measure zs "zstd -q -T2 -3 -c < $WORK/stream.raw > $WORK/stream.zst")" "$WORK/stream.zst"
row "raw->zstd" "zstd -T2 -3 + sync" "$(measure zss "zstd -q -T2 -3 -c < $WORK/stream.raw > $WORK/stream.zst && sync $WORK/stream.zst")" "$WORK/stream.zst"

head -c $((92 + DATA_LEN + (64 << 20))) "$WORK/mem.sav" > "$WORK/mem64.sav"; head -c $((64 << 20)) "$WORK/stream.raw" > "$WORK/stream64.raw"
BYTES=$((64 << 20)); echo "<!-- xz cases: first 64 MiB of the stream only (xz -3 runs below 1 MB/s on this data) -->"
row "raw->xz (64 MiB)" "saveimg --threads 2" "$(measure sx "$BIN convert $WORK/mem64.sav $WORK/mem64.xz.sav --overwrite --format xz --threads 2")" "$WORK/mem64.xz.sav"
row "raw->xz (64 MiB)" "xz -3 -T2" "$(measure xz "xz -3 -T2 -c < $WORK/stream64.raw > $WORK/stream64.xz")" "$WORK/stream64.xz"

unset BYTES
warm "$WORK/mem.gz.sav" "$WORK/stream.gz"
row "check --deep (gzip)" "saveimg" "$(measure cd "$BIN check --deep $WORK/mem.gz.sav")" ""
row "check --deep (gzip)" "gzip -dc \| sha256sum" "$(measure gs "gzip -dc < $WORK/stream.gz | sha256sum")" ""
echo "load after: $(uptime)"
