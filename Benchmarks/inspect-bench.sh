#!/usr/bin/env bash
# Benchmarks metadata reads (inspect, dumpxml) on a 1 MB real image and on
# the same image grown to 16 GiB (sparse). Both must cost the same: inspect
# reads the header, the data region, the stream's first 64 KiB and the file's
# last 64 KiB (see the README's inspect section), never more.
# Usage: Benchmarks/inspect-bench.sh [--export-markdown FILE]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
swift build --package-path "$root" -c release --product saveimg >&2
bin="$root/.build/release/saveimg"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
small="$root/testdata/libvirt-9.0/westmere-raw.sav"
bash "$root/Benchmarks/make-sparse-image.sh" "$small" "$work/big.sav" 16G
ls -ls "$small" "$work/big.sav" >&2
hyperfine -N --warmup 20 --runs 300 "$@" \
    -n "inspect 1 MB" "$bin inspect $small" \
    -n "inspect 16 GiB" "$bin inspect $work/big.sav" \
    -n "inspect --json 16 GiB" "$bin inspect --json $work/big.sav" \
    -n "dumpxml 16 GiB" "$bin dumpxml $work/big.sav"
if command -v strace >/dev/null; then
    for f in "$small" "$work/big.sav"; do
        # Only the image's descriptor: the loader also reads shared libraries.
        bytes=$(strace -e trace=openat,pread64,read -e quiet=all "$bin" inspect "$f" 2>&1 >/dev/null |
            awk -F'= ' -v img="$f" 'index($0, img) {fd=$NF} fd != "" && ($0 ~ "^pread64\\(" fd "," || $0 ~ "^read\\(" fd ",") {s+=$NF} END {print s+0}')
        echo "bytes read from the image by inspect $(basename "$f"): $bytes" >&2
    done
fi
