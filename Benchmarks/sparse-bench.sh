#!/bin/bash
# Sparse (mapped-ram) conversion speed and memory, and libvirt 11.3's restore
# time by format, on the integrator's big guest-like images
# (/work/bench-images, see its README; 256 MiB guest, ~118 MB raw stream).
#
#   Benchmarks/sparse-bench.sh [saveimg-binary]      (release build; default .build/release/saveimg)
#
# Cases (best of RUNS, page cache warm, `sync` before each run, outputs in $WORK on the same file system):
#  raw->sparse   saveimg convert big-11-raw.sav --format sparse   vs   cp --sparse=always (and + sync of the copy)
#  sparse->zstd  saveimg convert big-11-sparse.sav --format zstd  vs   zstd -3 -T2 on the raw stream that
#                saveimg derives from the same sparse file (and + sync)
# saveimg's convert fsyncs its output (ReplacementFile); the "+ sync" columns make the tools comparable.
# Peak RSS from /usr/bin/time -v. Then, when RESTORE=1, libvirt 11.3 restore times of big-11-{raw,gzip,zstd,sparse}
# and sparse with --parallel-channels 2 (domain bench-big-11, destroyed after each restore).
set -eu
BIN=$(readlink -f "${1:-.build/release/saveimg}")
IMAGES=${IMAGES:-/work/bench-images}
WORK=${WORK:-/tmp/sp/bench}
RUNS=${RUNS:-3}
L11=${L11:-/work/shared/libvirt-lab/setup-11.sh}
LAB_IMAGES=${LAB_IMAGES:-/tmp/bench-images}   # the same folder as the chroot sees it
mkdir -p "$WORK"; rm -f "$WORK"/*
best() {  # prints "seconds maxrss_kib" of the fastest of RUNS runs of "$@"
    local best_t="" best_m=""
    for _ in $(seq "$RUNS"); do
        rm -f "$WORK/out" "$WORK/out.zst"
        # Every run starts with no dirty data left by the one before (its
        # writeback would otherwise slow whichever run comes next).
        sync; sleep 1
        /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
        read -r t m < "$WORK/time"
        if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
    done
    echo "$best_t $best_m"
}
cat "$IMAGES/big-11-raw.sav" "$IMAGES/big-11-sparse.sav" > /dev/null  # warm the cache

read -r s_t s_m < <(best "$BIN" convert "$IMAGES/big-11-raw.sav" "$WORK/out" --format sparse)
read -r c_t c_m < <(best cp --sparse=always "$IMAGES/big-11-raw.sav" "$WORK/out")
read -r cs_t _ < <(best sh -c "cp --sparse=always '$IMAGES/big-11-raw.sav' '$WORK/out' && sync '$WORK/out'")
"$BIN" convert "$IMAGES/big-11-raw.sav" "$WORK/check.sav" --format sparse >/dev/null
echo "raw->sparse output: $(stat -c '%s bytes apparent, %b blocks' "$WORK/check.sav"); source $(stat -c %s "$IMAGES/big-11-raw.sav") bytes"
rm -f "$WORK/check.sav"

"$BIN" convert "$IMAGES/big-11-sparse.sav" "$WORK/equiv.sav" --format raw >/dev/null
offset=$(( 92 + $(od -An -tu4 -j20 -N4 "$WORK/equiv.sav" | tr -d ' ') ))
tail -c +$((offset + 1)) "$WORK/equiv.sav" > "$WORK/equiv.stream"; rm -f "$WORK/equiv.sav"
cat "$WORK/equiv.stream" > /dev/null
read -r z_t z_m < <(best "$BIN" convert "$IMAGES/big-11-sparse.sav" "$WORK/out" --format zstd)
read -r zt_t zt_m < <(best sh -c "zstd -q -3 -T2 -c '$WORK/equiv.stream' > '$WORK/out.zst'")
read -r zts_t _ < <(best sh -c "zstd -q -3 -T2 -c '$WORK/equiv.stream' > '$WORK/out.zst' && sync '$WORK/out.zst'")
echo "equivalent raw stream: $(stat -c %s "$WORK/equiv.stream") bytes"

printf '\n| case | saveimg | reference | + sync | ratio (vs + sync) | saveimg peak RSS |\n|---|---:|---:|---:|---:|---:|\n'
printf '| raw->sparse (big-11-raw.sav) | %s s | cp --sparse=always %s s | %s s | %.2fx (%.2fx) | %s KiB |\n' \
    "$s_t" "$c_t" "$cs_t" "$(awk "BEGIN{print $s_t/$c_t}")" "$(awk "BEGIN{print $s_t/$cs_t}")" "$s_m"
printf '| sparse->zstd (big-11-sparse.sav) | %s s | zstd -3 -T2 %s s | %s s | %.2fx (%.2fx) | %s KiB |\n' \
    "$z_t" "$zt_t" "$zts_t" "$(awk "BEGIN{print $z_t/$zt_t}")" "$(awk "BEGIN{print $z_t/$zts_t}")" "$z_m"
rm -f "$WORK/equiv.stream" "$WORK/out" "$WORK/out.zst"

[ "${RESTORE:-0}" = 1 ] || exit 0

printf '\n| format | file (apparent / allocated) | libvirt 11.3 restore |\n|---|---|---:|\n'
for c in raw gzip zstd sparse sparse-par2; do
    f="$LAB_IMAGES/big-11-${c%-par2}.sav"; opts=""; [ "$c" = sparse-par2 ] && opts="--parallel-channels 2"
    state=$($L11 virsh domstate bench-big-11 2>/dev/null | head -1)
    [ "$state" = "shut off" ] || { echo "bench-big-11 is $state: skipping $c"; continue; }
    start=$(date +%s.%N)
    $L11 virsh -q restore "$f" $opts >/dev/null
    end=$(date +%s.%N)
    $L11 virsh -q destroy bench-big-11 >/dev/null
    printf '| %s | %s / %s | %.2f s |\n' "$c" "$(stat -c %s "$f")" "$(( $(stat -c %b "$f") * 512 ))" "$(awk "BEGIN{print $end-$start}")"
done
