#!/usr/bin/env bash
# retarget with sparse, judged by real libvirt (../shared/libvirt-lab):
#  1. a libvirt 9.0 image retargeted to 11.3 as sparse restores on 11.3 with --parallel-channels 2;
#  2. an 11.3 sparse image of a pc-i440fx-7.2 guest retargeted to 9.0 (sparse -> raw) restores on 9.0;
#  3. an 11.3 sparse image of a pc-i440fx-10.0 guest retargeted to 9.0 is refused
#     (machine_unsupported), as libvirt 9.0 refuses the original.
# Prints PASS/FAIL lines; exit 1 on any FAIL. Run from the repository root:
#   flock /tmp/libvirt-lab.lock scripts/lab/retarget-sparse-check.sh [SAVEIMG]
set -u
S=${1:-.build/debug/saveimg}
LAB=../shared/libvirt-lab
C=../shared/fixtures/capabilities
W=/tmp/retarget-sparse-check
V9="virsh -c qemu:///system"
V11="$LAB/setup-11.sh virsh"
rm -rf "$W"; mkdir -p "$W"
fail=0
pass() { echo "PASS $*"; }
bad() { echo "FAIL $*"; fail=1; }
# The lab's capture (with its QEMU's vmstate descriptions: without them the device state is cannot_tell).
target() { echo --target "testdata/targets/lab-libvirt-$1.json"; }

cp testdata/libvirt-9.0/westmere-raw.sav "$W/w9.sav"
if $S retarget "$W/w9.sav" $(target 11.3) --format sparse --output "$W/w9-sparse.sav" >/dev/null \
    && $V11 restore "$W/w9-sparse.sav" --parallel-channels 2 >/dev/null \
    && [ "$($V11 domstate oracle-westmere | head -1)" = running ]; then
    pass "9.0 westmere-raw -> retarget 11.3 --format sparse -> restored on 11.3 with 2 channels, running"
else bad "9.0 westmere-raw -> 11.3 sparse, 2 channels"; fi
$V11 destroy oracle-westmere >/dev/null 2>&1

tar -xS --zstd -f testdata/libvirt-11.3/lab-sparse-images.tar.zst -C "$W"
if $S retarget "$W/sp-q64m72-sparse.sav" $(target 9.0) --output "$W/m72-raw.sav" >/dev/null \
    && $V9 restore "$W/m72-raw.sav" >/dev/null && [ "$($V9 domstate sp-q64m72 | head -1)" = running ]; then
    pass "11.3 sparse (pc-i440fx-7.2) -> retarget 9.0 (to raw) -> restored on 9.0, running"
else bad "11.3 sparse pc-i440fx-7.2 -> 9.0"; fi
$V9 destroy sp-q64m72 >/dev/null 2>&1

out=$($S retarget "$W/sp-q64-sparse-par2.sav" $(target 9.0) --output "$W/q64-raw.sav" 2>&1); rc=$?
real=$($V9 restore "$W/sp-q64-sparse-par2.sav" 2>&1)
if [ $rc = 3 ] && [ ! -e "$W/q64-raw.sav" ] && echo "$out" | grep -q machine_unsupported; then
    pass "11.3 sparse (pc-i440fx-10.0) -> retarget 9.0 refused (machine_unsupported); libvirt 9.0 on the original: $(echo "$real" | grep -o 'Invalid compressed save format [0-9]*\|does not support machine type[^)]*' | head -1)"
else bad "11.3 sparse pc-i440fx-10.0 -> 9.0 should be refused (rc $rc)"; fi
exit $fail
