#!/bin/bash
# Real-libvirt check of saveimg's quoted libvirt message for a corrupt domain
# XML: copies testdata/libvirt-9.0/westmere-raw.sav, writes ZZZZ at several
# file offsets inside the domain XML, and asks `virsh save-image-dumpxml` and
# `virsh restore` (both parse the XML first and fail there: no domain is
# created) and `saveimg verify --json --target-libvirt TARGET`. Prints a table:
# libvirt's first error line, saveimg's libvirt_message for that release and
# the error's offset, and whether they agree.
#
# Run from the repository root, on the 9.0 host lab or a chroot lab:
#   scripts/lab/xml-error-messages.sh
#   VIRSH="/work/shared/libvirt-lab/setup-11.sh virsh" TARGET=11.3 scripts/lab/xml-error-messages.sh
# SAVEIMG may name the binary (default: .build/debug/saveimg); VIRSH the virsh
# command (default: virsh -c qemu:///system); TARGET the release (default 9.0).
set -u
SAVEIMG=${SAVEIMG:-.build/debug/saveimg}
VIRSH=${VIRSH:-virsh -c qemu:///system}
TARGET=${TARGET:-9.0}
WORK=$(mktemp -d /tmp/h3-xml-errors.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
SOURCE=testdata/libvirt-9.0/westmere-raw.sav
agree=0; total=0
printf '| ZZZZ at | virsh save-image-dumpxml | virsh restore | saveimg libvirt_message | saveimg offset | same |\n'
printf '|---:|---|---|---|---:|---|\n'
for offset in 196 198 200 202 204 230 300 400 700; do
    image="$WORK/zz-$offset.sav"
    cp "$SOURCE" "$image"
    chmod 644 "$image"
    printf 'ZZZZ' | dd of="$image" bs=1 seek="$offset" conv=notrunc status=none
    dump=$($VIRSH save-image-dumpxml "$image" 2>&1 >/dev/null | head -1 | sed 's/^error: //')
    restore=$($VIRSH restore "$image" 2>&1 >/dev/null | grep -v '^error: Failed to restore' | head -1 | sed 's/^error: //')
    json=$(SAVEIMG_LOCAL_TARGET=off "$SAVEIMG" verify --json --target-libvirt "$TARGET" "$image" 2>/dev/null)
    ours=$(printf '%s' "$json" | python3 -c 'import json,sys; e=json.load(sys.stdin).get("error") or {}; print(e.get("libvirt_message","(none: the XML parses)"))')
    at=$(printf '%s' "$json" | python3 -c 'import json,sys; e=json.load(sys.stdin).get("error") or {}; print(e.get("offset","-"))')
    [ -z "$dump" ] && dump="(none: the XML parses)"
    [ -z "$restore" ] && restore="(no parse error)"
    same=no
    if [ "$dump" = "$ours" ]; then same=yes; agree=$((agree + 1)); fi
    total=$((total + 1))
    printf '| %s | %s | %s | %s | %s | %s |\n' "$offset" "$dump" "$restore" "$ours" "$at" "$same"
done
printf '\n%d of %d cases: saveimg (target %s) quotes what virsh prints\n' "$agree" "$total" "$TARGET"
[ "$agree" = "$total" ]
