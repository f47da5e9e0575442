#!/usr/bin/env bash
# Benchmarks `saveimg verify` on a 1 MB real image and on the same image grown
# to 16 GiB (sparse): both must cost the same (verify reads the header, the
# data region and 4 KiB of stream, never more).
# Usage: Benchmarks/verify-bench.sh [hyperfine options, e.g. --export-markdown FILE]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${SCRATCH:-$root/.build}"
command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
swift build --package-path "$root" --scratch-path "$scratch" -c release --product saveimg >&2
bin="$scratch/release/saveimg"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
small="$root/testdata/libvirt-9.0/westmere-raw.sav"
bash "$root/Benchmarks/make-sparse-image.sh" "$small" "$work/big.sav" 16G
ls -ls "$small" "$work/big.sav" >&2
lab="--domcapabilities $root/testdata/capabilities/lab-libvirt-9.0-domcapabilities.xml --model-additions $root/testdata/capabilities/lab-qemu-7.2-tcg-model-additions.txt"
hyperfine -N --warmup 20 --runs 200 "$@" \
    -n "verify 1 MB" "$bin verify $lab $small" \
    -n "verify 16 GiB" "$bin verify $lab $work/big.sav" \
    -n "verify --json --target-libvirt 3.2 16 GiB" "$bin verify --json --target-libvirt 3.2 $lab $work/big.sav"
