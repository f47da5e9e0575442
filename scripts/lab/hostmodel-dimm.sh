#!/bin/bash
# Issue 26's CPU item on a realistic guest: a host-model q35 guest with 2 NUMA cells and a
# DIMM, a Debian kernel booted to its (initramfs) shell, saved (raw) on 7.0 and/or 9.0,
# restored for real on each of the four labs (TARGETS, default 7 9 11 12), beside `saveimg verify --target <that lab's capture>`.
#
#   scripts/lab/hostmodel-dimm.sh [SAVEIMG] [LAB...]     (default .build/debug/saveimg, labs 9 7)
#
# Domains are named h4-hmdimm-LAB and undefined at the end; images in $W (default /tmp/h4/hmdimm).
set -u
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}"); shift || true
LABS=${*:-9 7}
W=${W:-/tmp/h4/hmdimm}; mkdir -p $W; chmod 700 $W
LABDIR=${LABDIR:-/work/shared/libvirt-lab}
declare -A REL=([7]=7.0 [9]=9.0 [11]=11.3 [12]=12.8)
virsh_on() { local lab=$1; shift; if [ $lab = 9 ]; then virsh -c qemu:///system "$@"; else "$LABDIR/setup-$lab.sh" virsh "$@"; fi; }
xml() {  # xml LAB
  local dom=h4-hmdimm-$1
  cat <<XML
<domain type='qemu'>
  <name>$dom</name>
  <maxMemory slots='4' unit='MiB'>4096</maxMemory>
  <memory unit='MiB'>1024</memory><currentMemory unit='MiB'>1024</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type>
    <kernel>/tmp/guest/vmlinuz</kernel><initrd>/tmp/guest/initrd.img</initrd><cmdline>console=ttyS0</cmdline></os>
  <features><acpi/><apic/></features>
  <cpu mode='host-model'><numa><cell id='0' cpus='0' memory='384' unit='MiB'/><cell id='1' cpus='1' memory='384' unit='MiB'/></numa></cpu>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='$W/console-$dom.log' append='on'/><target port='0'/></serial>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='virtio'/>
    <memory model='dimm'><target><size unit='MiB'>256</size><node>0</node></target></memory>
  </devices>
</domain>
XML
}
make_image() {  # make_image LAB -> $W/hmdimm-LAB-raw.sav
  local lab=$1 dom=h4-hmdimm-$1 t=0
  xml $lab > $W/$dom.xml; rm -f $W/console-$dom.log
  virsh_on $lab destroy $dom >/dev/null 2>&1; virsh_on $lab undefine $dom >/dev/null 2>&1
  virsh_on $lab define $W/$dom.xml >/dev/null && virsh_on $lab start $dom >/dev/null || { echo "$dom: start failed"; return 1; }
  while [ $t -lt 400 ] && ! grep -q '(initramfs)' $W/console-$dom.log 2>/dev/null; do sleep 3; t=$((t+3)); done
  virsh_on $lab save $dom $W/hmdimm-$lab-raw.sav >/dev/null || { echo "$dom: save failed"; }
  virsh_on $lab destroy $dom >/dev/null 2>&1; virsh_on $lab undefine $dom >/dev/null 2>&1
  echo "$dom: booted in ${t}s, saved $(stat -c %s $W/hmdimm-$lab-raw.sav 2>/dev/null) bytes"
}
for lab in $LABS; do make_image $lab & done; wait
echo
echo "| image | target | real restore | verify --target capture | first reason |"
echo "|---|---|---|---|---|"
for lab in $LABS; do
  img=$W/hmdimm-$lab-raw.sav; [ -s $img ] || continue
  for t in ${TARGETS:-7 9 11 12}; do
    real=$(virsh_on $t restore $img 2>&1 | tr '\n' ' ' | cut -c1-200)
    virsh_on $t destroy h4-hmdimm-$lab >/dev/null 2>&1; virsh_on $t undefine h4-hmdimm-$lab >/dev/null 2>&1
    v=$($S verify --json --target testdata/targets/lab-libvirt-${REL[$t]}.json $img)
    python3 - "$v" "$img" "${REL[$t]}" "$real" <<'PY'
import json, os, sys
v = json.loads(sys.argv[1]); f = [x for x in v.get("findings", []) if x["severity"] in ("restore_fails", "invalid", "cannot_tell")]
first = f"{f[0]['code']}: {(f[0].get('libvirt_message') or f[0]['message'])[:120]}" if f else "-"
print(f"| {os.path.basename(sys.argv[2])} | {sys.argv[3]} | {sys.argv[4]} | {v['verdict']} | {first} |")
PY
  done
done
