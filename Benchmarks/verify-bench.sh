#!/usr/bin/env bash
# Benchmarks `saveimg verify` on a 1 MB real image and on the same image grown
# to 16 GiB (sparse): both must cost the same. Without --deep verify reads the
# header, the data region, the stream's first 64 KiB (RAM block list) and the
# file's last 64 KiB (QEMU_VM_EOF + VM description; 1 MiB when not found there),
# never more. The 16 GiB file keeps the real stream's last 1 MiB at its end, so
# verify does exactly the reads it does on a real 16 GiB image (a hole in the
# middle stands for the RAM pages it never reads). Also the real 118 MB raw
# image of /work/bench-images when present.
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
# the stream's real end at the end of the 16 GiB file
tail -c 1048576 "$small" | dd of="$work/big.sav" bs=1M seek=$((16 * 1024 - 1)) conv=notrunc status=none
ls -ls "$small" "$work/big.sav" >&2
caps="--target-libvirt 9.0 --capabilities $root/testdata/capabilities/libvirt-9.0-capabilities.xml --domcapabilities $root/testdata/capabilities/libvirt-9.0-domcapabilities-qemu.xml"
"$bin" verify $caps "$work/big.sav" >&2 || true
real=()
if [ -f /work/bench-images/big-9-raw.sav ]; then
    real=(-n "verify 118 MB real raw (bench-images/big-9-raw.sav)" "$bin verify $caps /work/bench-images/big-9-raw.sav")
fi
lab="--domcapabilities $root/testdata/capabilities/lab-libvirt-9.0-domcapabilities.xml --model-additions $root/testdata/capabilities/lab-qemu-7.2-tcg-model-additions.txt"
hyperfine -N --warmup 20 --runs ${RUNS:-200} -i "$@" \
    -n "verify 1 MB" "$bin verify $lab $small" \
    -n "verify 16 GiB" "$bin verify $lab $work/big.sav" \
    -n "verify --json --target-libvirt 3.2 16 GiB" "$bin verify --json --target-libvirt 3.2 $lab $work/big.sav" \
    -n "verify 1 MB, 9.0 capabilities + domcapabilities" "$bin verify $caps $small" \
    -n "verify 16 GiB, 9.0 capabilities + domcapabilities" "$bin verify $caps $work/big.sav" \
    "${real[@]}"
