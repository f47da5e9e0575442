#!/bin/bash
# Opt-in (not CI): RAM page records whose flags hold no kind, or two kinds,
# restored on each real libvirt of ../shared/libvirt-lab (7.0 + QEMU 5.2,
# 9.0 + QEMU 7.2, 11.3 + QEMU 10.0) beside `saveimg check --deep`'s verdict:
# the measurements behind HostileStreamWalkTests' "a RAM record of no kind or
# of two kinds" test. The sparse fuzz harness found the walker taking a
# record of flags 0 as a no-op, so a zeroed region read as RAM records
# passed; QEMU refuses it ("Unknown combination of migration flags").
#
#   scripts/lab/ram-records-check.sh [path/to/saveimg]
#
# For each lab, its own raw image (testdata/libvirt-GEN/qemu64-raw.sav, for 9.0
# qemu64-raw-running.sav), renamed to ramrec-GEN-FLAGS with a fresh UUID, has
# the record after the RAM block list (the setup section's EOS, 0x10) given
# the flags FLAGS. "unchanged" is the image as it is. A row agrees when both
# restore, or both refuse. Exit status 1 when any row disagrees.
set -u
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}")
[ -x "$S" ] || { echo "build saveimg first (swift build)"; exit 1; }
LAB=/work/shared/libvirt-lab
[ -d "$LAB" ] || LAB=$PWD/../shared/libvirt-lab
W=$(mktemp -d /tmp/saveimg-ramrec.XXXXXX)
trap 'rm -rf "$W"' EXIT

virsh_for() {
  case $1 in
    7.0) echo "$LAB/setup-7.sh virsh -q" ;;
    9.0) echo "virsh -q -c qemu:///system" ;;
    11.3) echo "$LAB/setup-11.sh virsh -q" ;;
  esac
}

# patch IN OUT FLAGS: OUT is IN with the record after the RAM block list given FLAGS ("unchanged": a copy)
patch() {
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
src, out, flags = sys.argv[1:]
d = bytearray(open(src, "rb").read())
if flags != "unchanged":
    data_len = struct.unpack_from("<I", d, 20)[0]
    stream = 92 + data_len
    # The RAM section's start: 0x01, u32 id, "\x03ram", instance 0, version 4; then the MEM_SIZE record.
    at = d.index(b"\x03ram\x00\x00\x00\x00\x00\x00\x00\x04", stream) + 12
    total = struct.unpack_from(">Q", d, at)[0] & ~0xfff
    at += 8
    while total > 0:
        n = d[at]; size = struct.unpack_from(">Q", d, at + 1 + n)[0]
        total -= size; at += 1 + n + 8
    assert d[at:at + 8] == b"\0" * 7 + b"\x10", d[at:at + 8]
    d[at + 7] = int(flags, 16)
open(out, "wb").write(d)
PY
}

rows=0; disagree=0
printf "%-5s %-9s | %-44s | %s\n" lab flags "saveimg check --deep" "real restore"
for gen in 7.0 9.0 11.3; do
  v=$(virsh_for $gen)
  src=testdata/libvirt-$gen/qemu64-raw.sav
  [ $gen = 9.0 ] && src=testdata/libvirt-9.0/qemu64-raw-running.sav
  for flags in unchanged 00 20 0a 18 06; do
    name=ramrec-${gen/./}-$flags
    img=$W/$name.sav
    "$S" dumpxml "$src" > $W/x.xml
    sed -i "s#<name>.*</name>#<name>$name</name>#; s#<uuid>.*</uuid>#<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>#" $W/x.xml
    "$S" define --allow-abi-change "$src" $W/x.xml --output $W/renamed.sav >/dev/null
    patch $W/renamed.sav "$img" $flags
    rm -f $W/renamed.sav
    if "$S" check --deep "$img" > $W/check.txt 2>&1; then ours=valid; else
      ours="refused: $(grep -o "found flags 0x[0-9a-f]*" $W/check.txt | head -1)"
      [ "$ours" = "refused: " ] && ours="refused: $(grep -m1 -iE "error|expected" $W/check.txt | cut -c1-40)"
    fi
    out=$(timeout 90 $v restore "$img" 2>&1); rc=$?
    $v destroy $name >/dev/null 2>&1; $v undefine $name >/dev/null 2>&1
    if [ $rc -eq 0 ]; then real=restored; else
      real="refused: $(echo "$out" | grep -o "Unknown combination of migration flags: 0x[0-9a-f]*" | head -1)"
      [ "$real" = "refused: " ] && real="refused: $(echo "$out" | tr "\n" " " | sed "s/.*Failed to restore domain from [^ ]* *//; s/^error: *//; s/internal error: qemu unexpectedly closed the monitor: [^ ]* qemu-system-x86_64: /QEMU: /" | cut -c1-90)"
    fi
    ok=agree
    case "$ours/$real" in valid/restored|refused*/refused*) ;; *) ok=DISAGREE; disagree=$((disagree + 1)) ;; esac
    rows=$((rows + 1))
    printf "%-5s %-9s | %-44s | %s  [%s]\n" $gen $flags "$ours" "$real" $ok
  done
done
echo "$rows rows, $disagree disagreeing"
[ $disagree -eq 0 ]
