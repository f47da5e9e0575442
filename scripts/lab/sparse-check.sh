#!/bin/bash
# Real-libvirt check for sparse (QEMU mapped-ram) conversions, judged by
# libvirt 11.3 + QEMU 10.0 (../shared/libvirt-lab/setup-11.sh) and libvirt
# 9.0 + QEMU 7.2 (this machine's qemu:///system):
#
#  1. fresh 32 MiB guests are saved by both labs (9.0: raw; 11.3: raw, zstd,
#     sparse, sparse with 2 channels; and a guest pinned to pc-i440fx-7.2);
#  2. every conversion INTO sparse (from 9.0 raw and its gzip/bzip2/xz/lzop/zstd
#     conversions, from 11.3 raw/zstd/sparse) is restored on 11.3 with and
#     without --parallel-channels 2;
#  3. every conversion OUT of sparse (to raw, gzip, zstd) is restored on 11.3;
#  4. the pc-i440fx-7.2 guest's sparse and zstd images, converted to raw and
#     gzip, are restored on 9.0 (the downgrade path).
# Each restored domain is checked running, then destroyed; all domains are
# undefined at the end. Prints a Markdown table; exit 1 if any row fails.
#
# Run from the repository root, under the shared lab lock:
#   flock /tmp/libvirt-lab.lock scripts/lab/sparse-check.sh
# SAVEIMG may name the binary (default: .build/debug/saveimg); WORK the
# scratch directory (default /tmp/sp/lab-check; the chroot labs see /tmp).
set -u
SAVEIMG=$(readlink -f "${SAVEIMG:-.build/debug/saveimg}")
L11=${L11:-/work/shared/libvirt-lab/setup-11.sh}
V9="virsh -q -c qemu:///system"
V11="$L11 virsh -q"
WORK=${WORK:-/tmp/sp/lab-check}
FIX=${FIX:-testdata/libvirt-9.0/domain-qemu64.xml}
FIX72=${FIX72:-testdata/libvirt-11.3/domain-qemu64-m72.xml}
D=sp-check-q64          # default machine type (pc-i440fx-7.2 on 9.0, pc-i440fx-10.0 on 11.3)
D72=sp-check-q64m72     # pinned to pc-i440fx-7.2
U=5d0c6c7e-2f61-4c1f-9a53-0000000000a1
U72=5d0c6c7e-2f61-4c1f-9a53-0000000000a2
rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"
failures=0

drop() {  # virsh, domain
    $1 destroy "$2" >/dev/null 2>&1; $1 managedsave-remove "$2" >/dev/null 2>&1; $1 undefine "$2" >/dev/null 2>&1
}
cleanup() { for v in "$V9" "$V11"; do drop "$v" $D; drop "$v" $D72; done; }
trap cleanup EXIT
cleanup

domxml() {  # source xml, name, uuid, out
    sed -e "s|<name>[^<]*</name>|<name>$2</name>|" -e "s|<uuid>[^<]*</uuid>|<uuid>$3</uuid>|" "$1" > "$4"
    grep -q '<uuid>' "$4" || sed -i "s|</name>|</name><uuid>$3</uuid>|" "$4"
}
domxml "$FIX" $D $U "$WORK/q64.xml"
domxml "$FIX72" $D72 $U72 "$WORK/q64m72.xml"

save() {  # virsh, domain, xml, file, [virsh save options]
    local v=$1 dom=$2 xml=$3 file=$4; shift 4
    $v define "$xml" >/dev/null && $v start "$dom" >/dev/null || { echo "start $dom failed" >&2; return 1; }
    sleep 2
    $v save "$dom" "$file" "$@" >/dev/null || { echo "save $dom $* failed" >&2; return 1; }
    chmod 644 "$file"
}
save "$V9" $D "$WORK/q64.xml" "$WORK/l9-raw.sav" || exit 2
drop "$V9" $D
save "$V11" $D "$WORK/q64.xml" "$WORK/l11-raw.sav" --image-format raw || exit 2
save "$V11" $D "$WORK/q64.xml" "$WORK/l11-zstd.sav" --image-format zstd || exit 2
save "$V11" $D "$WORK/q64.xml" "$WORK/l11-sparse.sav" --image-format sparse || exit 2
save "$V11" $D "$WORK/q64.xml" "$WORK/l11-sparse-par2.sav" --image-format sparse --parallel-channels 2 || exit 2
save "$V11" $D72 "$WORK/q64m72.xml" "$WORK/l11m72-sparse.sav" --image-format sparse || exit 2
save "$V11" $D72 "$WORK/q64m72.xml" "$WORK/l11m72-zstd.sav" --image-format zstd || exit 2
drop "$V11" $D72
# 9.0-made sources in every compressed format (made by saveimg from the raw one).
for f in gzip bzip2 xz lzop zstd; do
    "$SAVEIMG" convert "$WORK/l9-raw.sav" "$WORK/l9-$f.sav" --format $f >/dev/null || exit 2
done
"$SAVEIMG" convert "$WORK/l11-raw.sav" "$WORK/l11-gzip.sav" --format gzip >/dev/null || exit 2

printf '| source (lab, format) | conversion | output bytes (allocated) | check --deep | restored on | channels | result |\n'
printf '|---|---|---:|---|---|---|---|\n'
restore() {  # label, conversion, image, virsh, lab name, domain, [restore options]
    local label=$1 conv=$2 image=$3 v=$4 lab=$5 dom=$6; shift 6
    local size deep out state channels=${2:-1}
    size="$(stat -c %s "$image") ($(( $(stat -c %b "$image") * 512 )))"
    if "$SAVEIMG" check --deep "$image" >/dev/null 2>&1; then deep=OK; else deep=DAMAGED; fi
    if out=$($v restore "$image" "$@" 2>&1); then
        sleep 1
        state=$($v domstate "$dom" 2>&1 | head -1)
        $v destroy "$dom" >/dev/null 2>&1
        if [ "$state" = running ]; then
            printf '| %s | %s | %s | %s | %s | %s | restored, %s |\n' "$label" "$conv" "$size" "$deep" "$lab" "$channels" "$state"
            return
        fi
        out="restored but $state"
    fi
    failures=$((failures + 1))
    printf '| %s | %s | %s | %s | %s | %s | FAILED: %s |\n' "$label" "$conv" "$size" "$deep" "$lab" "$channels" "$(echo "$out" | tr '\n|' '  ' | head -c 200)"
}
convert() {  # in, out, format -> prints nothing; returns status
    "$SAVEIMG" convert "$1" "$2" --format "$3" >/dev/null 2>"$WORK/err" && chmod 644 "$2"
}

# 2. into sparse, restored on 11.3 with 1 and 2 channels
for src in l9-raw l9-gzip l9-bzip2 l9-xz l9-lzop l9-zstd l11-raw l11-gzip l11-zstd l11-sparse l11-sparse-par2; do
    out="$WORK/$src-to-sparse.sav"
    lab=${src%%-*}; fmt=${src#*-}
    label="$([ $lab = l9 ] && echo "9.0 (QEMU 7.2)" || echo "11.3 (QEMU 10.0)"), $fmt"
    if ! convert "$WORK/$src.sav" "$out" sparse; then
        failures=$((failures + 1)); printf '| %s | -> sparse | - | - | - | - | convert FAILED: %s |\n' "$label" "$(head -c 200 "$WORK/err")"; continue
    fi
    restore "$label" "-> sparse" "$out" "$V11" 11.3 $D
    restore "$label" "-> sparse" "$out" "$V11" 11.3 $D --parallel-channels 2
done
# 3. out of sparse, restored on 11.3
for src in l11-sparse l11-sparse-par2; do
    for fmt in raw gzip zstd; do
        out="$WORK/$src-to-$fmt.sav"
        label="11.3 (QEMU 10.0), ${src#l11-}"
        if ! convert "$WORK/$src.sav" "$out" $fmt; then
            failures=$((failures + 1)); printf '| %s | -> %s | - | - | - | - | convert FAILED: %s |\n' "$label" $fmt "$(head -c 200 "$WORK/err")"; continue
        fi
        restore "$label" "-> $fmt" "$out" "$V11" 11.3 $D
    done
done
# 4. downgrade: pc-i440fx-7.2 guest from 11.3, restored on 9.0
drop "$V9" $D72
for src in l11m72-sparse l11m72-zstd; do
    for fmt in raw gzip; do
        out="$WORK/$src-to-$fmt.sav"
        label="11.3 (QEMU 10.0) pc-i440fx-7.2, ${src#l11m72-}"
        if ! convert "$WORK/$src.sav" "$out" $fmt; then
            failures=$((failures + 1)); printf '| %s | -> %s | - | - | - | - | convert FAILED: %s |\n' "$label" $fmt "$(head -c 200 "$WORK/err")"; continue
        fi
        restore "$label" "-> $fmt" "$out" "$V9" 9.0 $D72
    done
done
echo
echo "failures: $failures"
[ $failures -eq 0 ]
