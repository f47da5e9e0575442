#!/usr/bin/env bash
# local-target-bench.sh BEFORE AFTER [COUNT]: the cost of judging against this
# machine (no target option: its running libvirt) with two saveimg binaries,
# side by side (hyperfine -N, warm cache): inspect and verify of
# testdata/libvirt-9.0/westmere-raw.sav, scan of COUNT (default 1000) small
# images (copies of the testdata/libvirt-9.0 fixtures in 10 directories),
# and `virsh save-image-dumpxml` of the same image (issue 16's yardstick:
# inspect <= 0.35x of it). Also each binary with SAVEIMG_LOCAL_TARGET=off
# (no lookup at all) and the number of processes each run starts (strace).
# Run on a host with libvirt running (the 9.0 lab host); prints the load average.
#
#   Benchmarks/local-target-bench.sh /tmp/saveimg-5667a07 .build/release/saveimg
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
before=$(realpath "$1"); after=$(realpath "$2"); count=${3:-1000}
image=$repo/testdata/libvirt-9.0/westmere-raw.sav
work=$(mktemp -d "${TMPDIR:-/tmp}/saveimg-local-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
fixtures=("$repo"/testdata/libvirt-9.0/*.sav)
for ((i = 0; i < count; i++)); do
    mkdir -p "$work/fleet/d$((i % 10))"
    cp "${fixtures[$((i % ${#fixtures[@]}))]}" "$work/fleet/d$((i % 10))/vm$i.sav"
done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $(date -u '+%F %H:%M') UTC"
for b in "$before" "$after"; do
    printf '%s: processes started by inspect: %s\n' "$b" \
        "$(strace -f -e trace=execve "$b" inspect "$image" 2>&1 >/dev/null | grep -c 'execve(' || true)"
done
hyperfine -N --warmup 3 --runs ${RUNS:-20} --export-json "$work/a.json" \
    -n "before inspect" "$before inspect $image" -n "after inspect" "$after inspect $image" \
    -n "before verify" "$before verify $image" -n "after verify" "$after verify $image" \
    -n "virsh save-image-dumpxml" "virsh save-image-dumpxml $image" >/dev/null
hyperfine -N --warmup 1 --runs ${SCAN_RUNS:-5} --export-json "$work/b.json" \
    -n "before scan $count" "$before scan $work/fleet" -n "after scan $count" "$after scan $work/fleet" >/dev/null
export SAVEIMG_LOCAL_TARGET=off
hyperfine -N --warmup 3 --runs ${RUNS:-20} --export-json "$work/c.json" \
    -n "before inspect (SAVEIMG_LOCAL_TARGET=off)" "$before inspect $image" \
    -n "after inspect (SAVEIMG_LOCAL_TARGET=off)" "$after inspect $image" >/dev/null
unset SAVEIMG_LOCAL_TARGET
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work"/a.json "$work"/b.json "$work"/c.json <<'PY'
import json, sys
print("| command | mean ms | min ms | σ ms |"); print("|---|---:|---:|---:|")
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        print(f"| {r['command']} | {r['mean']*1000:.1f} | {r['min']*1000:.1f} | {r['stddev']*1000:.1f} |")
PY
