#!/bin/bash
# export-memory speed and memory on one guest's images in several formats
# (made by scripts/lab/export-memory-check.sh: /tmp/em/LAB-NAME/img-FMT.sav),
# against cp --sparse=always of the same bytes (the exported core).
#
#   Benchmarks/export-memory-bench.sh DIR [saveimg-binary]   (release build; default .build/release/saveimg)
#
# For each DIR/img-*.sav: best of RUNS of `export-memory --format elf` and
# `--format raw` (page cache warm, `sync` before each run, output in DIR),
# peak RSS (/usr/bin/time), then cp --sparse=always of the ELF core (+ sync,
# since export-memory fsyncs its output).
set -eu
DIR=$1
BIN=$(readlink -f "${2:-.build/release/saveimg}")
RUNS=${RUNS:-3}
best() {
    local best_t="" best_m=""
    for _ in $(seq "$RUNS"); do
        rm -f "$DIR/bench.out" "$DIR/bench.cp"
        sync; sleep 1
        /usr/bin/time -f "%e %M" -o "$DIR/bench.time" "$@" >/dev/null 2>&1
        read -r t m < "$DIR/bench.time"
        if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
    done
    echo "$best_t $best_m"
}
printf '| image | size | elf s | elf RSS MiB | raw s | cp --sparse=always + sync of the core s |\n|---|---|---|---|---|---|\n'
for img in "$DIR"/img-*.sav; do
    cat "$img" > /dev/null
    read -r e_t e_m < <(best "$BIN" export-memory "$img" "$DIR/bench.out")
    read -r r_t _ < <(best "$BIN" export-memory "$img" "$DIR/bench.out" --format raw)
    "$BIN" export-memory "$img" "$DIR/bench.core" >/dev/null
    read -r c_t _ < <(best sh -c "cp --sparse=always '$DIR/bench.core' '$DIR/bench.cp' && sync '$DIR/bench.cp'")
    rm -f "$DIR/bench.core" "$DIR/bench.out" "$DIR/bench.cp" "$DIR/bench.time"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$(basename "$img")" "$(du -h --apparent-size "$img" | cut -f1)" "$e_t" "$((e_m / 1024))" "$r_t" "$c_t"
done
