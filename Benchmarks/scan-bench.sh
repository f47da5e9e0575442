#!/usr/bin/env bash
# scan-bench.sh [COUNT] [SIZE]: `saveimg scan` over COUNT (default 1000) sparse
# save images of SIZE (default 16G) each, made from the libvirt 9.0 fixtures
# with Benchmarks/make-sparse-image.sh and spread over 10 directories.
# Reports images per second for --jobs 1 and --jobs 2 (hyperfine, warm cache).
#
#   SAVEIMG=path/to/release/saveimg Benchmarks/scan-bench.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-1000}
size=${2:-16G}
saveimg=${SAVEIMG:-$repo/.build/release/saveimg}
[ -x "$saveimg" ] || { echo "build first: swift build -c release (or set SAVEIMG)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/saveimg-scan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

fixtures=("$repo"/testdata/libvirt-9.0/*.sav)
for ((i = 0; i < count; i++)); do
    dir=$work/fleet/host$((i % 10))
    mkdir -p "$dir"
    fixture=${fixtures[$((i % ${#fixtures[@]}))]}
    bash "$repo/Benchmarks/make-sparse-image.sh" "$fixture" "$dir/vm$i.save" "$size"
done
echo "images: $count x $size (apparent $(du -sh --apparent-size "$work/fleet" | cut -f1), on disk $(du -sh "$work/fleet" | cut -f1))"
"$saveimg" scan "$work/fleet" | tail -1

hyperfine --warmup 3 --runs 20 --export-json "$work/result.json" \
    -n "scan --jobs 1" "'$saveimg' scan --jobs 1 '$work/fleet' > /dev/null" \
    -n "scan --jobs 2" "'$saveimg' scan --jobs 2 '$work/fleet' > /dev/null" \
    -n "scan --json --jobs 2" "'$saveimg' scan --json --jobs 2 '$work/fleet' > /dev/null"
python3 - "$work/result.json" "$count" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
count = int(sys.argv[2])
for r in results:
    print(f"{r['command']}: mean {r['mean']*1000:.0f} ms, min {r['min']*1000:.0f} ms, "
          f"{count / r['mean']:.0f} images/s (best {count / r['min']:.0f})")
PY
# Peak memory (maximum resident set) for the whole scan.
/usr/bin/time -f "max RSS %M KiB (--jobs 2, $count images)" "$saveimg" scan --jobs 2 "$work/fleet" > /dev/null
