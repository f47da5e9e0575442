#!/bin/bash
# Real-libvirt checks for the speed work (issue 16):
#  1. `saveimg define` in place: a fresh libvirt 9.0 save of a 32 MiB guest gets
#     a new domain XML that fits; the inode and the stream bytes stay the same;
#     virsh save-image-dumpxml shows the edit and virsh restore runs the guest.
#  2. A define killed while the data region is torn (strace: SIGKILL on the
#     write of the region) leaves the LibvirtQemudPart magic: libvirt 9.0
#     refuses it ("save image is incomplete"); the next saveimg (inspect) rolls
#     it back byte-identically and libvirt restores it.
#  3. The big guest-like images (/work/bench-images): big-9-raw.sav -> gzip
#     (ISA-L encoder) restores on libvirt 9.0 (domain bench-big-9) and
#     big-11-raw.sav -> zstd restores on libvirt 11.3 (bench-big-11); each
#     round-trips byte-identically (convert back to raw, cmp); libvirt 9.0's own
#     one-member big-9-gzip.sav -> raw (written by the direct-I/O writer) equals
#     gzip -dc's stream and restores on 9.0.
#
# Run under the shared lab lock, from the repository root:
#   flock /tmp/libvirt-lab.lock scripts/lab/speed-check.sh
# SAVEIMG may name the binary (default: .build/release/saveimg). Scratch: /tmp/sd.
set -u
SAVEIMG=${SAVEIMG:-.build/release/saveimg}
V="virsh -q -c qemu:///system"
L11=${L11:-/work/shared/libvirt-lab/setup-11.sh}
BENCH=${BENCH:-/work/bench-images}
DOM=sd-define-qemu64
mkdir -p /tmp/sd
WORK=$(mktemp -d /tmp/sd/lab-speed.XXXXXX)
fail=0
cleanup() { $V destroy "$DOM" >/dev/null 2>&1; $V undefine "$DOM" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
$V destroy "$DOM" >/dev/null 2>&1; $V undefine "$DOM" >/dev/null 2>&1
result() { printf '| %s | %s |\n' "$1" "$2"; case $2 in OK*) ;; *) fail=1 ;; esac; }
stream_offset() { echo $(( 92 + $(od -An -tu4 -j20 -N4 "$1" | tr -d ' ') )); }

sed -e "s|<name>[^<]*</name>|<name>$DOM</name>|" -e '/<uuid>/d' testdata/libvirt-9.0/domain-qemu64.xml > "$WORK/domain.xml"
$V define "$WORK/domain.xml" >/dev/null || { echo "define failed"; exit 2; }
$V start "$DOM" >/dev/null || { echo "start failed"; exit 2; }
sleep 3
$V save "$DOM" "$WORK/base.sav" >/dev/null || { echo "save failed"; exit 2; }

printf '| check | result |\n|---|---|\n'

# 1. define in place.
cp "$WORK/base.sav" "$WORK/edit.sav"
"$SAVEIMG" dumpxml "$WORK/edit.sav" | sed 's|</name>|</name>\n  <description>edited in place by saveimg</description>|' > "$WORK/new.xml"
inode=$(stat -c %i "$WORK/edit.sav")
out=$("$SAVEIMG" define "$WORK/edit.sav" "$WORK/new.xml" 2>&1)
case $out in *in-place-journaled*) result "define strategy" "OK: in-place-journaled" ;; *) result "define strategy" "FAILED: $out" ;; esac
[ "$(stat -c %i "$WORK/edit.sav")" = "$inode" ] && result "same inode after define" "OK" || result "same inode after define" "FAILED"
off=$(stream_offset "$WORK/base.sav")
if cmp -s <(tail -c +$((off + 1)) "$WORK/base.sav") <(tail -c +$((off + 1)) "$WORK/edit.sav"); then
    result "stream bytes unchanged" "OK"; else result "stream bytes unchanged" "FAILED"; fi
ls -a "$WORK" | grep -q saveimg-journal && result "journal removed" "FAILED" || result "journal removed" "OK"
if $V save-image-dumpxml "$WORK/edit.sav" 2>&1 | grep -q "edited in place by saveimg"; then
    result "libvirt 9.0 save-image-dumpxml shows the edit" "OK"; else result "libvirt 9.0 save-image-dumpxml shows the edit" "FAILED"; fi
if out=$($V restore "$WORK/edit.sav" 2>&1); then
    sleep 1; result "libvirt 9.0 restores the edited image" "OK: $($V domstate "$DOM" | head -1)"
    $V dumpxml "$DOM" | grep -q "edited in place by saveimg" || result "restored domain has the edit" "FAILED"
    $V destroy "$DOM" >/dev/null 2>&1
else result "libvirt 9.0 restores the edited image" "FAILED: $out"; fi

# 2. killed while torn: Part magic + journal.
cp "$WORK/base.sav" "$WORK/torn.sav"
# pwrite64 calls: 1 the journal, 2 the Part-magic header, 3 the new region (killed on entry).
strace -f -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=3 \
    "$SAVEIMG" define "$WORK/torn.sav" "$WORK/new.xml" >/dev/null 2>&1
magic=$(head -c 16 "$WORK/torn.sav")
[ "$magic" = LibvirtQemudPart ] && result "killed define leaves the Part magic" "OK" || result "killed define leaves the Part magic" "FAILED: $magic"
ls -a "$WORK" | grep -q '^.torn.sav.saveimg-journal$' && result "journal beside the torn image" "OK" || result "journal beside the torn image" "FAILED"
out=$($V restore "$WORK/torn.sav" 2>&1)
case $out in *"save image is incomplete"*) result "libvirt 9.0 refuses the torn image" "OK: $(echo "$out" | tr '\n' ' ' | head -c 120)" ;;
    *) result "libvirt 9.0 refuses the torn image" "FAILED: $out"; $V destroy "$DOM" >/dev/null 2>&1 ;; esac
"$SAVEIMG" inspect "$WORK/torn.sav" >/dev/null 2>&1
cmp -s "$WORK/torn.sav" "$WORK/base.sav" && result "saveimg inspect rolled it back byte-identically" "OK" || result "saveimg inspect rolled it back byte-identically" "FAILED"
if out=$($V restore "$WORK/torn.sav" 2>&1); then
    result "libvirt 9.0 restores the rolled-back image" "OK"; $V destroy "$DOM" >/dev/null 2>&1
else result "libvirt 9.0 restores the rolled-back image" "FAILED: $out"; fi

# 3. big images: gzip on 9.0, zstd on 11.3, round trips.
if [ -f "$BENCH/READY" ]; then
    "$SAVEIMG" convert "$BENCH/big-9-raw.sav" "$WORK/big-9.gz.sav" --format gzip --threads 2 >/dev/null
    "$SAVEIMG" convert "$WORK/big-9.gz.sav" "$WORK/big-9.back.sav" --format raw >/dev/null
    cmp -s "$WORK/big-9.back.sav" "$BENCH/big-9-raw.sav" && result "big-9 raw -> gzip -> raw byte-identical" "OK" \
        || result "big-9 raw -> gzip -> raw byte-identical" "FAILED"
    off=$(stream_offset "$WORK/big-9.gz.sav")
    if tail -c +$((off + 1)) "$WORK/big-9.gz.sav" | gzip -dc | cmp -s - <(tail -c +$((off + 1)) "$BENCH/big-9-raw.sav"); then
        result "gzip -dc reads saveimg's gzip stream" "OK"; else result "gzip -dc reads saveimg's gzip stream" "FAILED"; fi
    rm -f "$WORK/big-9.back.sav"
    if out=$($V restore "$WORK/big-9.gz.sav" 2>&1); then
        sleep 1; result "libvirt 9.0 restores big-9 converted to gzip" "OK: $($V domstate bench-big-9 | head -1)"
        $V destroy bench-big-9 >/dev/null 2>&1
    else result "libvirt 9.0 restores big-9 converted to gzip" "FAILED: $out"; fi
    rm -f "$WORK/big-9.gz.sav"
    # libvirt's own one-member gzip -> raw: the direct-I/O writer's main case.
    "$SAVEIMG" convert "$BENCH/big-9-gzip.sav" "$WORK/big-9.raw.sav" --format raw >/dev/null
    off=$(stream_offset "$WORK/big-9.raw.sav")
    if cmp -s <(tail -c +$((off + 1)) "$WORK/big-9.raw.sav") <(tail -c +$(($(stream_offset "$BENCH/big-9-gzip.sav") + 1)) "$BENCH/big-9-gzip.sav" | gzip -dc); then
        result "big-9-gzip -> raw stream = gzip -dc's" "OK"; else result "big-9-gzip -> raw stream = gzip -dc's" "FAILED"; fi
    if out=$($V restore "$WORK/big-9.raw.sav" 2>&1); then
        sleep 1; result "libvirt 9.0 restores big-9-gzip converted to raw" "OK: $($V domstate bench-big-9 | head -1)"
        $V destroy bench-big-9 >/dev/null 2>&1
    else result "libvirt 9.0 restores big-9-gzip converted to raw" "FAILED: $out"; fi
    rm -f "$WORK/big-9.raw.sav"
    "$SAVEIMG" convert "$BENCH/big-11-raw.sav" "$WORK/big-11.zst.sav" --format zstd --threads 2 >/dev/null
    "$SAVEIMG" convert "$WORK/big-11.zst.sav" "$WORK/big-11.back.sav" --format raw >/dev/null
    cmp -s "$WORK/big-11.back.sav" "$BENCH/big-11-raw.sav" && result "big-11 raw -> zstd -> raw byte-identical" "OK" \
        || result "big-11 raw -> zstd -> raw byte-identical" "FAILED"
    rm -f "$WORK/big-11.back.sav"
    if out=$("$L11" virsh -q restore "$WORK/big-11.zst.sav" 2>&1); then
        sleep 1; result "libvirt 11.3 restores big-11 converted to zstd" "OK: $("$L11" virsh -q domstate bench-big-11 | head -1)"
        "$L11" virsh -q destroy bench-big-11 >/dev/null 2>&1
    else result "libvirt 11.3 restores big-11 converted to zstd" "FAILED: $out"; fi
else
    result "big images" "SKIPPED: $BENCH/READY missing"
fi
exit $fail
