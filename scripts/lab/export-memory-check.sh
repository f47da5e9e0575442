#!/usr/bin/env bash
# Judge `saveimg export-memory` against QEMU's own dump on a real lab:
#   paused guest -> virsh dump --memory-only --format elf (QEMU's core)
#   -> virsh save (each format; 7.0/9.0: raw, then saveimg convert) -> export
#   -> same PT_LOAD ranges, same bytes, same notes (registers, VMCOREINFO),
#      same rip/rsp in gdb, raw export holding each range at its address.
# usage: scripts/lab/export-memory-check.sh LAB DOMAIN.xml [WAIT_SECONDS] [FORMATS]
#   LAB: 7 | 9 | 11 | 12; DOMAIN.xml: a domain whose <name> starts with em-.
#   WAIT_SECONDS: run time before pausing (default 3); FORMATS: e.g. "raw gzip zstd sparse".
# Leaves results in /tmp/em/LAB-NAME/ and prints one line per image. Not run by CI.
# Guests used (scripts/lab/export-memory-guests/): em-qemu64 (the labs' 32 MiB guest),
# em-q35big (q35, OVMF, 2 vCPUs, 4 GiB), em-pcnuma (i440fx, NUMA + DIMM, > 3.5 GiB),
# em-vmci (kernel registers VMCOREINFO: initrd from scripts/lab/export-memory-initrd.sh),
# em-big16 (16 GiB, 100 MiB loaded from /tmp/em/fill.bin: head -c 100M /dev/urandom).
# The kernel guests need /tmp/guest/{vmlinuz,initrd.img} (lab README, "Realistic guests").
set -u
LAB=$1; XML=$2; WAIT=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
SAVEIMG=${SAVEIMG:-$HERE/../../.build/debug/saveimg}
LABDIR=/work/shared/libvirt-lab
case $LAB in
  9) V() { virsh -c qemu:///system "$@"; } ; DEFAULT="raw gzip xz zstd" ;;
  7) V() { "$LABDIR/setup-7.sh" virsh "$@"; } ; DEFAULT="raw gzip xz"; LAYOUT=--no-section-headers ;;  # QEMU 5.2: no section headers
  11) V() { "$LABDIR/setup-11.sh" virsh "$@"; } ; DEFAULT="raw gzip zstd sparse" ;;
  12) V() { "$LABDIR/setup-12.sh" virsh "$@"; } ; DEFAULT="raw gzip zstd sparse" ;;
  *) echo "LAB must be 7, 9, 11 or 12" >&2; exit 1 ;;
esac
FORMATS=${4:-$DEFAULT}
LAYOUT=${LAYOUT:-}
NVRAM=$(sed -n 's|.*<nvram[^>]*>\(.*\)</nvram>.*|\1|p' "$XML" | head -1)
NAME=$(sed -n 's|.*<name>\(.*\)</name>.*|\1|p' "$XML" | head -1)
case $NAME in em-*) ;; *) echo "domain name must start with em- (got $NAME)" >&2; exit 1 ;; esac
OUT=/tmp/em/$LAB-$NAME; rm -rf "$OUT"; mkdir -p "$OUT"; chmod 755 /tmp/em "$OUT"
V destroy "$NAME" >/dev/null 2>&1; V undefine "$NAME" --nvram >/dev/null 2>&1 || V undefine "$NAME" >/dev/null 2>&1
V define "$XML" >/dev/null || exit 1
V start "$NAME" >/dev/null || exit 1
sleep "$WAIT"
V suspend "$NAME" >/dev/null
V dump --memory-only --format elf "$NAME" "$OUT/qemu.core" >/dev/null || { echo "dump failed"; exit 1; }
status=0
first=1
for fmt in $FORMATS; do
  img=$OUT/img-$fmt.sav
  if [ $LAB = 7 ] || [ $LAB = 9 ]; then
    if [ $first = 1 ]; then V save "$NAME" "$OUT/img-raw.sav" >/dev/null || exit 1; first=0; fi
    [ "$fmt" = raw ] || "$SAVEIMG" convert "$OUT/img-raw.sav" "$img" --format "$fmt" >/dev/null || { echo "convert $fmt failed"; status=1; continue; }
  else
    if [ $first = 0 ]; then V restore "$OUT/img-prev.sav" --paused >/dev/null || exit 1; fi
    V save "$NAME" "$img" --image-format "$fmt" >/dev/null || { echo "save $fmt failed"; status=1; continue; }
    ln -f "$img" "$OUT/img-prev.sav"; first=0
  fi
  start=$(date +%s.%N)
  if ! "$SAVEIMG" export-memory "$img" "$OUT/export-$fmt.core" $LAYOUT > "$OUT/export-$fmt.txt" 2>&1; then
    echo "$LAB $NAME $fmt: export FAILED: $(cat "$OUT/export-$fmt.txt")"; status=1; continue
  fi
  end=$(date +%s.%N)
  "$SAVEIMG" export-memory "$img" "$OUT/export-$fmt.raw" --format raw > /dev/null 2>&1
  result=$(python3 "$HERE/compare-cores.py" "$OUT/qemu.core" "$OUT/export-$fmt.core" --raw "$OUT/export-$fmt.raw")
  rc=$?
  gq=$(gdb -batch -c "$OUT/qemu.core" -ex 'info registers rip' -ex 'info registers rsp' 2>/dev/null | grep -E '^(rip|rsp|eip|esp)' | tr -s ' ' | tr '\n' ';')
  ge=$(gdb -batch -c "$OUT/export-$fmt.core" -ex 'info registers rip' -ex 'info registers rsp' 2>/dev/null | grep -E '^(rip|rsp|eip|esp)' | tr -s ' ' | tr '\n' ';')
  [ "$gq" = "$ge" ] && gdbr="gdb same ($gq)" || { gdbr="gdb DIFFERENT: qemu $gq export $ge"; rc=1; }
  readelf -n -l -W "$OUT/qemu.core" | grep -v -E 'description data|^ *[0-9a-f ]+$' | sed 's/0x0*[0-9a-f]* *0x/0x/' > "$OUT/readelf-qemu.txt"
  readelf -n -l -W "$OUT/export-$fmt.core" | grep -v -E 'description data|^ *[0-9a-f ]+$' | sed 's/0x0*[0-9a-f]* *0x/0x/' > "$OUT/readelf-export-$fmt.txt"
  cmp -s <(readelf -n -l -S -W "$OUT/qemu.core") <(readelf -n -l -S -W "$OUT/export-$fmt.core") && re="readelf -n -l -S identical" || re="readelf -n -l -S differs"
  nv=""
  if [ -n "$NVRAM" ]; then
    "$SAVEIMG" export-memory "$img" --nvram "$OUT/nvram-$fmt.fd" > /dev/null 2>&1
    cmp -s "$OUT/nvram-$fmt.fd" "$NVRAM" && nv="; NVRAM equal ($(stat -c %s "$NVRAM") bytes)" || { nv="; NVRAM DIFFERENT"; rc=1; }
  fi
  printf '%s %s %s: %s; %s; %s%s; export %.2f s\n' "$LAB" "$NAME" "$fmt" "$(echo "$result" | tail -1 | sed 's/^ *//')" "$gdbr" "$re" "$nv" "$(echo "$end - $start" | bc)"
  [ $rc = 0 ] || { echo "$result" | head -20; status=1; }
done
V destroy "$NAME" >/dev/null 2>&1; V undefine "$NAME" --nvram >/dev/null 2>&1 || V undefine "$NAME" >/dev/null 2>&1
exit $status
