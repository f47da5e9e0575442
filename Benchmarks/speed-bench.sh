#!/bin/bash
# Issue 16's ratios, measured side by side in one run on the real lab images
# of /work/bench-images (libvirt 9.0 / 11.3 saves of a 256 MiB guest whose RAM
# was filled from fill.bin; README there):
#
#   raw->gzip     saveimg convert --format gzip --threads 2   vs  pigz -6 -p2   (same stream bytes)
#   gzip->raw     saveimg convert --format raw                vs  gzip -dc      (libvirt's one-member gzip)
#   check --deep  saveimg check --deep (gzip image)           vs  gzip -dc | sha256sum
#   raw->zstd     saveimg convert --format zstd --threads 2   vs  zstd -3 -T2
#   define        in place on the 0.6 MB fixture              vs  the same on a 2 GiB non-sparse image
#   inspect       saveimg inspect                             vs  virsh save-image-dumpxml (libvirt 9.0)
#
#   REPEAT=5 Benchmarks/speed-bench.sh [WORKDIR]     (default /tmp/sd/bench)
#
# Every case runs REPEAT times, saveimg and the other tool interleaved (A B A
# B ...), and the fastest run of each is kept: the machine is shared, and the
# best of N is the least disturbed. Every run goes to WORKDIR/runs.log with
# the 1-minute load average at its start; `uptime` is printed before and
# after. saveimg fsyncs its output before the rename; the external programs
# do not, so they are timed with `sync FILE` after (the fair comparison).
# Ratio = other seconds / saveimg seconds (> 1: saveimg faster); define: 2 GiB / 0.6 MB.
# SAVEIMG names the binary (default .build/release/saveimg: swift build -c release --static-swift-stdlib).
set -eu
WORK=${1:-/tmp/sd/bench}
BENCH=${BENCH:-/work/bench-images}
REPEAT=${REPEAT:-3}
BIN=${SAVEIMG:-.build/release/saveimg}
FIXTURE=${FIXTURE:-testdata/libvirt-9.0/westmere-raw.sav}
[ -f "$BENCH/READY" ] || { echo "$BENCH/READY missing"; exit 2; }
for tool in pigz gzip zstd sha256sum hyperfine virsh; do command -v $tool >/dev/null || { echo "$tool missing"; exit 2; }; done
mkdir -p "$WORK"
: > "$WORK/runs.log"
stream_offset() { echo $(( 92 + $(od -An -tu4 -j20 -N4 "$1" | tr -d ' ') )); }
load() { cut -d' ' -f1 /proc/loadavg; }

# The streams alone, for the external programs.
tail -c +$(( $(stream_offset "$BENCH/big-9-raw.sav") + 1 )) "$BENCH/big-9-raw.sav" > "$WORK/stream.raw"
tail -c +$(( $(stream_offset "$BENCH/big-9-gzip.sav") + 1 )) "$BENCH/big-9-gzip.sav" > "$WORK/stream.gz"
tail -c +$(( $(stream_offset "$BENCH/big-11-raw.sav") + 1 )) "$BENCH/big-11-raw.sav" > "$WORK/stream11.raw"
RAW=$(stat -c %s "$WORK/stream.raw")

declare -A BEST RSS
run() {  # key, command: one timed run; keeps the fastest per key
    local key=$1; shift
    sync; sleep 0.5
    local before; before=$(load)
    /usr/bin/time -f "%e %M" -o "$WORK/time" bash -c "$*" >/dev/null
    local s r; read -r s r < "$WORK/time"
    echo "$key: $s s, $r KiB (load $before)" >> "$WORK/runs.log"
    if [ -z "${BEST[$key]:-}" ] || [ "$(echo "$s < ${BEST[$key]}" | bc)" = 1 ]; then BEST[$key]=$s; RSS[$key]=$r; fi
}
pair() {  # keyA, commandA, keyB, commandB: interleaved REPEAT times
    local i
    for i in $(seq "$REPEAT"); do run "$1" "$2"; run "$3" "$4"; done
}
row() {  # case, tool, key, output file, bytes for MB/s
    printf '| %s | %s | %s | %.0f | %.1f | %s |\n' "$1" "$2" "${BEST[$3]}" "$(echo "$5 / ${BEST[$3]} / 1000000" | bc -l)" \
        "$(echo "${RSS[$3]} / 1024" | bc -l)" "$( [ -n "$4" ] && stat -c %s "$4" || echo -)"
}
ratio() { echo "scale=2; ${BEST[$2]} / ${BEST[$1]}" | bc; }

echo "saveimg $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, $(date -u '+%F %H:%M') UTC, best of $REPEAT interleaved runs per tool"
echo "load before: $(uptime)"
cat "$BENCH/big-9-raw.sav" "$BENCH/big-9-gzip.sav" "$BENCH/big-11-raw.sav" "$WORK"/stream* > /dev/null

pair sg "$BIN convert $BENCH/big-9-raw.sav $WORK/out.gz.sav --overwrite --format gzip --threads 2" \
     pigz "pigz -6 -p2 -c < $WORK/stream.raw > $WORK/stream.pigz && sync $WORK/stream.pigz"
tail -c +$(( $(stream_offset "$WORK/out.gz.sav") + 1 )) "$WORK/out.gz.sav" | gzip -dc | cmp -s - "$WORK/stream.raw" \
    && GZ_OK="gzip -dc of saveimg's output = the raw stream" || GZ_OK="MISMATCH: gzip -dc of saveimg's output"
SG_STREAM=$(( $(stat -c %s "$WORK/out.gz.sav") - $(stream_offset "$WORK/out.gz.sav") ))

pair sgd "$BIN convert $BENCH/big-9-gzip.sav $WORK/back.sav --overwrite --format raw" \
     gzd "gzip -dc < $WORK/stream.gz > $WORK/stream.back && sync $WORK/stream.back"
tail -c +$(( $(stream_offset "$WORK/back.sav") + 1 )) "$WORK/back.sav" | cmp -s - "$WORK/stream.back" \
    && RT="saveimg's raw stream = gzip -dc's output (byte-identical)" || RT="MISMATCH: gzip -> raw"
"$BIN" convert "$WORK/back.sav" "$WORK/again.gz.sav" --overwrite --format gzip --threads 2 >/dev/null
"$BIN" convert "$WORK/again.gz.sav" "$WORK/again.sav" --overwrite --format raw >/dev/null
cmp -s "$WORK/again.sav" "$WORK/back.sav" && RT="$RT; raw -> gzip -> raw byte-identical" || RT="$RT; MISMATCH: raw -> gzip -> raw"
rm -f "$WORK/back.sav" "$WORK/stream.back" "$WORK/again.gz.sav" "$WORK/again.sav"

pair deep "$BIN check --deep $BENCH/big-9-gzip.sav" dsha "gzip -dc < $WORK/stream.gz | sha256sum"

pair sz "$BIN convert $BENCH/big-11-raw.sav $WORK/out.zst.sav --overwrite --format zstd --threads 2" \
     zs "zstd -q -3 -T2 -c < $WORK/stream11.raw > $WORK/stream.zst && sync $WORK/stream.zst"
"$BIN" convert "$WORK/out.zst.sav" "$WORK/back11.sav" --overwrite --format raw >/dev/null
cmp -s "$WORK/back11.sav" "$BENCH/big-11-raw.sav" && RTZ="zstd round trip byte-identical" || RTZ="MISMATCH: zstd round trip"
rm -f "$WORK/back11.sav"
RAW11=$(stat -c %s "$WORK/stream11.raw")

echo
echo "| case | tool | seconds | MB/s (raw) | peak RSS MiB | output bytes |"
echo "|---|---|---:|---:|---:|---:|"
row "raw->gzip" "saveimg --threads 2" sg "$WORK/out.gz.sav" "$RAW"
row "raw->gzip" "pigz -6 -p2 + sync" pigz "$WORK/stream.pigz" "$RAW"
row "gzip->raw" "saveimg" sgd "" "$RAW"
row "gzip->raw" "gzip -dc + sync" gzd "" "$RAW"
row "check --deep (gzip)" "saveimg" deep "" "$RAW"
row "check --deep (gzip)" "gzip -dc \\| sha256sum" dsha "" "$RAW"
row "raw->zstd" "saveimg --threads 2" sz "$WORK/out.zst.sav" "$RAW11"
row "raw->zstd" "zstd -3 -T2 + sync" zs "$WORK/stream.zst" "$RAW11"
echo
echo "- raw->gzip: $(ratio sg pigz)x pigz; saveimg's gzip stream $SG_STREAM bytes = $(echo "scale=4; $SG_STREAM / $(stat -c %s "$WORK/stream.pigz")" | bc)x pigz's; $GZ_OK"
echo "- gzip->raw: $(ratio sgd gzd)x gzip -dc; $RT"
echo "- check --deep: $(ratio deep dsha)x gzip -dc | sha256sum"
echo "- raw->zstd: $(ratio sz zs)x zstd -3 -T2; $RTZ"
rm -f "$WORK"/stream.pigz "$WORK"/stream.zst "$WORK"/out.*.sav

# define: the same in-place edit on the 0.6 MB fixture and on a 2 GiB non-sparse image.
cp "$FIXTURE" "$WORK/small.sav"
if [ ! -f "$WORK/big2g.sav" ] || [ "$(stat -c %s "$WORK/big2g.sav")" -lt 2147483648 ]; then
    cp "$FIXTURE" "$WORK/big2g.sav"
    while [ "$(stat -c %s "$WORK/big2g.sav")" -lt 2147483648 ]; do cat "$WORK/stream.raw" >> "$WORK/big2g.sav"; done
fi
sync
"$BIN" dumpxml "$WORK/small.sav" > "$WORK/a.xml"
sed 's|</name>|</name>\n  <description>benchmark edit</description>|' "$WORK/a.xml" > "$WORK/b.xml"
echo
echo "define in place (hyperfine, alternating two XMLs so every run writes; $(du -h --apparent-size "$WORK/big2g.sav" | cut -f1) apparent, $(du -h "$WORK/big2g.sav" | cut -f1) allocated):"
hyperfine -N --warmup 5 --runs $((REPEAT * 10)) \
    --command-name "define 0.6 MB" --prepare "$BIN define $WORK/small.sav $WORK/a.xml" "$BIN define $WORK/small.sav $WORK/b.xml" \
    --command-name "define 2 GiB" --prepare "$BIN define $WORK/big2g.sav $WORK/a.xml" "$BIN define $WORK/big2g.sav $WORK/b.xml" \
    --export-markdown "$WORK/define.md" >/dev/null 2>&1 || echo "(hyperfine failed)"
cat "$WORK/define.md"
/usr/bin/time -f "define 2 GiB: %e s, peak RSS %M KiB" "$BIN" define "$WORK/big2g.sav" "$WORK/b.xml" >/dev/null
df --output=avail -B1 "$WORK" | tail -1 > "$WORK/free.before"
strace -f -qq -e trace=openat,copy_file_range,ftruncate -o "$WORK/define.trace" "$BIN" define "$WORK/big2g.sav" "$WORK/a.xml" >/dev/null
echo "define 2 GiB system calls: $(grep -c copy_file_range "$WORK/define.trace") copy_file_range, $(grep -c ftruncate "$WORK/define.trace") ftruncate, files created: $(grep O_CREAT "$WORK/define.trace" | grep -o '"[^"]*"' | tr '\n' ' ')"

# inspect vs virsh save-image-dumpxml on the same image.
echo
echo "inspect (hyperfine -N):"
hyperfine -N --warmup 20 --runs $((REPEAT * 100)) \
    --command-name "saveimg inspect" "$BIN inspect $BENCH/big-9-raw.sav" \
    --command-name "saveimg --version" "$BIN --version" \
    --command-name "virsh save-image-dumpxml" "virsh -c qemu:///system save-image-dumpxml $BENCH/big-9-raw.sav" \
    --export-markdown "$WORK/inspect.md" >/dev/null 2>&1 || echo "(hyperfine failed)"
cat "$WORK/inspect.md"
/usr/bin/time -f "inspect: peak RSS %M KiB" "$BIN" inspect "$BENCH/big-9-raw.sav" >/dev/null
echo
echo "load after: $(uptime)"
