#!/bin/bash
# Re-captures the four labs into testdata/targets/lab-libvirt-{7.0,9.0,11.3,12.8}.json with
# `saveimg target capture` (versions, capabilities, domcapabilities, the QEMU's -dump-vmstate for
# every pc-i440fx-*/pc-q35-* machine type, deduplicated, and the firmware files with their sizes),
# and prints a table: seconds, bytes, machine types dumped, distinct descriptions/sets, and the
# bytes the raw dumps would take (one -dump-vmstate per machine type, measured on one of them).
#
#   scripts/lab/capture-targets.sh [path/to/saveimg] [OUT]   (OUT default testdata/targets)
set -u
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}")
OUT=${2:-testdata/targets}
LAB=/work/shared/libvirt-lab; [ -d "$LAB" ] || LAB=$PWD/../shared/libvirt-lab
now() { date +%s.%N; }
declare -A REL=([7]=7.0 [9]=9.0 [11]=11.3 [12]=12.8)
echo "| lab | QEMU | seconds | capture bytes | vmstate bytes | machine types | distinct descriptions | distinct dumps | one raw dump (bytes) | raw dumps, all machine types | firmware files |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for lab in 7 9 11 12; do
  case $lab in
    9) v="virsh -c qemu:///system"; r="" ;;
    *) v="$LAB/setup-$lab.sh virsh"; r="$LAB/setup-$lab.sh run" ;;
  esac
  f=$OUT/lab-libvirt-${REL[$lab]}.json
  t0=$(now)
  if [ -n "$r" ]; then $S target capture --virsh "$v" --run "$r" > $f.new; else $S target capture --virsh "$v" > $f.new; fi
  t1=$(now)
  [ -s $f.new ] && mv $f.new $f || { echo "| ${REL[$lab]} | capture failed |"; rm -f $f.new; continue; }
  m=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sorted(d['vmstate']['machines'])[-1])" $f)
  raw=$( (if [ -n "$r" ]; then $r qemu-system-x86_64 -machine $m -display none -nodefaults -dump-vmstate /tmp/cap-raw-$lab.json; \
         else qemu-system-x86_64 -machine $m -display none -nodefaults -dump-vmstate /tmp/cap-raw-$lab.json; fi) >/dev/null 2>&1; \
         stat -c %s /tmp/cap-raw-$lab.json; rm -f /tmp/cap-raw-$lab.json)
  python3 - "$f" "${REL[$lab]}" "$(echo "$t1-$t0" | bc -l | cut -c1-5)" "$raw" <<'PY'
import json, os, sys
f, rel, secs, raw = sys.argv[1:5]
d = json.load(open(f)); v = d.get("vmstate") or {}
vm = len(json.dumps(v, separators=(",", ":"), sort_keys=True))
n = len(v.get("machines", {}))
print(f"| {rel} | {d.get('qemu_version')} | {secs} | {os.path.getsize(f)} | {vm} | {n} | {len(v.get('descriptions', []))} | {len(v.get('sets', []))} | {raw} | ~{int(raw) * n} | {len(d.get('firmware_files') or {})} |")
PY
done
