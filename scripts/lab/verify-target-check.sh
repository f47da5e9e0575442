#!/bin/bash
# Opt-in lab check (not CI) for issue 23's target work, on ../shared/libvirt-lab:
#  1. `saveimg target capture` of each of the four labs (time; the captures in testdata/targets came from this);
#  2. the local-host lookup's cost: verify with and without asking the running libvirt (the 9.0 host);
#  3. the forecast on real QEMU: a libvirt 7.0 image pinned to pc-i440fx-5.1, restored on 11.3 (QEMU 10.0)
#     and 12.8 (QEMU 11.1), beside verify with each lab's capture and with --qemu 10.0 / 11.0 / 11.1;
#  4. verify's cost with a capture on a 16 GiB (apparent) sparse image from 12.8 and on a 0.5 MB one.
#
#   scripts/lab/verify-target-check.sh [path/to/saveimg]
#
# Rerunnable: works under /tmp/vt-check, every domain is named vt-chk-... and undefined.
set -u
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}")
LAB=/work/shared/libvirt-lab; [ -d "$LAB" ] || LAB=$PWD/../shared/libvirt-lab
FIX=$(dirname "$LAB")/fixtures
W=/tmp/vt-check; mkdir -p $W
now() { date +%s.%N; }
avg() { echo "($2-$1)/$3" | bc -l | cut -c1-5; }

echo "## 1. target capture"
echo "| lab | libvirt | QEMU | seconds | bytes |"; echo "|---|---|---|---|---|"
for lab in 7 9 11 12; do
  case $lab in 9) v="virsh -c qemu:///system" ;; *) v="$LAB/setup-$lab.sh virsh" ;; esac
  t0=$(now); $S target capture --virsh "$v" > $W/cap-$lab.json; t1=$(now)
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('| %s | %s | %s | %s | %s |' % (sys.argv[2], d['libvirt_version'], d['qemu_version'], sys.argv[3], sys.argv[4]))" \
    $W/cap-$lab.json $lab "$(avg $t0 $t1 1)" "$(stat -c %s $W/cap-$lab.json)"
done

echo; echo "## 2. local-host lookup (this machine's libvirt), 10 runs each"
f=$FIX/libvirt-9.0/qemu64-raw-running.sav
for mode in off on; do
  t0=$(now); for i in $(seq 10); do SAVEIMG_LOCAL_TARGET=$mode $S verify $f > /dev/null; done; t1=$(now)
  echo "- SAVEIMG_LOCAL_TARGET=$mode: $(avg $t0 $t1 10) s per verify"
done

echo; echo "## 3. forecast on real QEMU: pc-i440fx-5.1 made by libvirt 7.0"
L7=$LAB/setup-7.sh
sed "s#<name>.*</name>#<name>vt-chk-m51</name>#; s#<uuid>.*</uuid>#<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>#; s#machine='pc'#machine='pc-i440fx-5.1'#" \
  $FIX/libvirt-9.0/domain-qemu64.xml > $W/m51.xml
$L7 virsh -q define $W/m51.xml >/dev/null && $L7 virsh -q start vt-chk-m51 >/dev/null && sleep 2 && rm -f $W/m51.sav && \
  $L7 virsh -q save vt-chk-m51 $W/m51.sav >/dev/null; $L7 virsh -q undefine vt-chk-m51 >/dev/null 2>&1
echo "| target | real restore | verify --target capture | verify --qemu (no host) |"; echo "|---|---|---|---|"
for pair in "11:11.3:10.0" "12:12.8:11.1"; do
  n=${pair%%:*}; rest=${pair#*:}; lab=${rest%%:*}; q=${rest#*:}
  real=$(timeout 90 $LAB/setup-$n.sh virsh -q restore $W/m51.sav 2>&1 | tr '\n' ' '); [ -z "$real" ] && real=OK
  $LAB/setup-$n.sh virsh -q destroy vt-chk-m51 >/dev/null 2>&1; $LAB/setup-$n.sh virsh -q undefine vt-chk-m51 >/dev/null 2>&1
  cap=$($S verify --target $W/cap-$n.json $W/m51.sav | sed -n 2p | sed 's/.*: //')
  fq=$($S verify --target-libvirt $lab --qemu $q --no-host $W/m51.sav | grep -c machine_unsupported)
  echo "| $lab (QEMU $q) | ${real:0:120} | $cap | $([ $fq = 1 ] && echo "refused (machine_unsupported)" || echo "not refused") |"
done
$S verify --forecast --no-host --target-libvirt 12.8 $W/m51.sav | grep forecast

echo; echo "## 4. verify --target cost, 5 runs each"
L12=$LAB/setup-12.sh
sed "s#<name>.*</name>#<name>vt-chk-big</name>#; s#<uuid>.*</uuid>#<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>#; s#<memory[^>]*>.*</memory>#<memory unit='GiB'>16</memory>#; s#<currentMemory[^>]*>.*</currentMemory>#<currentMemory unit='GiB'>16</currentMemory>#" \
  $FIX/libvirt-9.0/domain-qemu64.xml > $W/big.xml
$L12 virsh -q define $W/big.xml >/dev/null && $L12 virsh -q start vt-chk-big >/dev/null && sleep 3 && rm -f $W/big.sav && \
  $L12 virsh -q save vt-chk-big $W/big.sav --image-format sparse >/dev/null; $L12 virsh -q undefine vt-chk-big >/dev/null 2>&1
for f in $W/big.sav $FIX/libvirt-12.8/qemu64-raw.sav; do
  t0=$(now); for i in 1 2 3 4 5; do $S verify --target $W/cap-12.json $f > $W/v.out; done; t1=$(now)
  echo "- $(basename $f): $(stat -c %s $f) bytes apparent, $(du -k $f | cut -f1) KiB allocated: $(avg $t0 $t1 5) s; $(sed -n 2p $W/v.out | sed 's/.*: //')"
done
rm -f $W/big.sav
