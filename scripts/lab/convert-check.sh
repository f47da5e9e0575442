#!/bin/bash
# Real-libvirt check for `saveimg convert`: saves a fresh 32 MiB guest with
# libvirt (raw), converts the image to every format (and a big-endian and a
# version-1 header), `virsh restore`s each one and prints a table.
#
# Run under the shared lab lock, from the repository root:
#   flock /tmp/libvirt-lab.lock scripts/lab/convert-check.sh
# SAVEIMG may name the binary (default: .build/debug/saveimg).
set -u
SAVEIMG=${SAVEIMG:-.build/debug/saveimg}
V="virsh -q -c qemu:///system"
DOM=convert-lab-qemu64
WORK=$(mktemp -d /tmp/convert-lab.XXXXXX)
cleanup() { $V destroy "$DOM" >/dev/null 2>&1; $V undefine "$DOM" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
cleanup_start() { $V destroy "$DOM" >/dev/null 2>&1; $V undefine "$DOM" >/dev/null 2>&1; }
cleanup_start

sed -e "s|<name>[^<]*</name>|<name>$DOM</name>|" -e '/<uuid>/d' testdata/libvirt-9.0/domain-qemu64.xml > "$WORK/domain.xml"
$V define "$WORK/domain.xml" >/dev/null || { echo "define failed"; exit 2; }
$V start "$DOM" >/dev/null || { echo "start failed"; exit 2; }
sleep 3
$V save "$DOM" "$WORK/base.sav" >/dev/null || { echo "save failed"; exit 2; }

printf '| case | header format | file bytes | saveimg check --deep | virsh restore | state after |\n'
printf '|---|---|---:|---|---|---|\n'
run_case() {  # name, convert arguments...
    local name=$1; shift
    local image="$WORK/$name.sav"
    if ! "$SAVEIMG" convert "$WORK/base.sav" "$image" "$@" >/dev/null 2>"$WORK/err"; then
        printf '| %s | - | - | - | convert failed: %s | - |\n' "$name" "$(head -c 200 "$WORK/err")"; return
    fi
    local format size deep out state
    format=$(od -An -tu4 -j28 -N4 --endian=$( [ "$name" = gzip-big-endian ] && echo big || echo little) "$image" | tr -d ' ')
    size=$(stat -c %s "$image")
    if "$SAVEIMG" check --deep "$image" >/dev/null 2>&1; then deep=OK; else deep=DAMAGED; fi
    if out=$($V restore "$image" 2>&1); then
        sleep 1
        state=$($V domstate "$DOM" 2>&1 | head -1)
        printf '| %s | %s | %s | %s | OK | %s |\n' "$name" "$format" "$size" "$deep" "$state"
        $V destroy "$DOM" >/dev/null 2>&1
    else
        printf '| %s | %s | %s | %s | fails: %s | - |\n' "$name" "$format" "$size" "$deep" "$(echo "$out" | tr '\n' ' ' | head -c 160)"
    fi
}
run_case raw --format raw
for f in gzip bzip2 xz lzop zstd; do run_case "$f" --format "$f"; done
run_case gzip-big-endian --format gzip --byte-order big
run_case raw-version-1 --format raw --header-version 1
