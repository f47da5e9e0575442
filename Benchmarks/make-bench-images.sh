#!/bin/bash
# Makes the big, guest-like lab images the speed, verify and sparse benchmarks
# read (BENCH, default /work/bench-images), with real libvirt and real QEMU,
# as ../shared/libvirt-lab/README.md ("Big, guest-like images") describes: a
# 256 MiB guest (pc-i440fx-7.2, no OS) whose RAM QEMU fills at start from a
# 160 MiB file of mixed pages (`-device loader` at 64 MiB), saved by
#   libvirt 9.0 + QEMU 7.2:  big-9-raw.sav, big-9-gzip.sav (gzip: saveimg convert
#                            of big-9-raw, one gzip member, which 9.0 restores)
#   libvirt 11.3 + QEMU 10.0: big-11-raw.sav, big-11-sparse.sav (virsh save --image-format)
# then writes BENCH/READY. Domains are named bench-mk-*, destroyed and undefined
# after their save. Needs the 9.0 and 11.3 labs (setup.sh, setup-11.sh).
#
#   Benchmarks/make-bench-images.sh [saveimg]      (default .build/debug/saveimg)
set -eu
cd "$(dirname "$0")/.."
BENCH=${BENCH:-/work/bench-images}
S=$(realpath "${1:-.build/debug/saveimg}")
LAB=$(realpath ../shared/libvirt-lab)
WORK=/tmp/bench-mk
mkdir -p "$BENCH" "$WORK"
rm -f "$BENCH/READY"
# 160 MiB of mixed 4 KiB pages (deterministic): zero, text-like, random, half-and-half.
python3 - "$WORK/fill.bin" <<'PY'
import random, sys
rng = random.Random(20261203)
words = b"the quick brown fox jumps over the lazy dog kernel page cache inode dentry buffer ".split()
with open(sys.argv[1], "wb") as out:
    for page in range(160 * 256):
        kind = page % 20
        if kind < 6:
            out.write(bytes(4096))
        elif kind < 13:
            text = b" ".join(rng.choice(words) for _ in range(900))
            out.write((text * 2)[:4096])
        elif kind < 17:
            out.write(rng.randbytes(4096))
        else:
            out.write(rng.randbytes(2048) + bytes(2048))
PY
xml() {  # name
    cat <<XML
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model></cpu>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
  <qemu:commandline>
    <qemu:arg value='-device'/>
    <qemu:arg value='loader,file=$WORK/fill.bin,addr=0x4000000,force-raw=on'/>
  </qemu:commandline>
</domain>
XML
}
save() {  # virsh... name out [save args]
    local name=$2 out=$3
    local -a virsh=($1)
    "${virsh[@]}" destroy "$name" >/dev/null 2>&1 || true
    "${virsh[@]}" undefine "$name" >/dev/null 2>&1 || true
    xml "$name" > "$WORK/$name.xml"
    "${virsh[@]}" define "$WORK/$name.xml" >/dev/null
    "${virsh[@]}" start "$name" >/dev/null
    sleep 3
    rm -f "$out"
    "${virsh[@]}" save "$name" "$out" "${@:4}" >/dev/null
    "${virsh[@]}" undefine "$name" >/dev/null
}
if [ ! -f "$BENCH/big-9-raw.sav" ] || [ "${REMAKE:-0}" = 1 ]; then
    save "virsh -c qemu:///system" bench-mk-9 "$BENCH/big-9-raw.sav"
fi
rm -f "$BENCH/big-9-gzip.sav"
"$S" convert "$BENCH/big-9-raw.sav" "$BENCH/big-9-gzip.sav" --format gzip >/dev/null
# The chroot sees this machine's /tmp, not BENCH: save there, then move.
save "$LAB/setup-11.sh virsh" bench-mk-11 "$WORK/big-11-raw.sav"
save "$LAB/setup-11.sh virsh" bench-mk-11s "$WORK/big-11-sparse.sav" --image-format sparse
mv "$WORK/big-11-raw.sav" "$WORK/big-11-sparse.sav" "$BENCH/"
ls -l "$BENCH"/*.sav
date -u +"%F %T UTC, $(git rev-parse --short HEAD)" > "$BENCH/READY"
