#!/usr/bin/env bash
# A guest initrd that registers VMCOREINFO with QEMU: the realistic-guest
# initrd (/tmp/guest/initrd.img, Debian's, without qemu_fw_cfg) plus an
# appended cpio holding the host's qemu_fw_cfg.ko and an init-top script that
# insmods it (the kernel then writes its VMCOREINFO note's address to the
# vmcoreinfo fw_cfg file, and the vmcoreinfo device migrates it).
# usage: scripts/lab/export-memory-initrd.sh [OUT]   (default /tmp/em/initrd-fwcfg.img)
# Needs the host's modules for the guest kernel's version (linux-image-amd64).
set -eu
OUT=${1:-/tmp/em/initrd-fwcfg.img}
VERSION=$(file -b /tmp/guest/vmlinuz | sed -n 's/.*version \([^ ]*\).*/\1/p')
MODULE=$(find "/lib/modules/$VERSION" -name 'qemu_fw_cfg.ko*' | head -1)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
unzstd -c /tmp/guest/initrd.img | cpio -id --quiet 'scripts/init-top/*'
mkdir -p em; cp "$MODULE" em/qemu_fw_cfg.ko
case $MODULE in *.xz) xz -d em/qemu_fw_cfg.ko.xz 2>/dev/null || { mv em/qemu_fw_cfg.ko em/x.ko.xz; xz -d em/x.ko.xz; mv em/x.ko em/qemu_fw_cfg.ko; } ;; esac
printf '#!/bin/sh\ncase "$1" in prereqs) exit 0 ;; esac\ninsmod /em/qemu_fw_cfg.ko && echo "em: qemu_fw_cfg loaded"\n' > scripts/init-top/em_fw_cfg
chmod +x scripts/init-top/em_fw_cfg
printf '/scripts/init-top/em_fw_cfg "$@"\n[ -e /conf/param.conf ] && . /conf/param.conf\n' >> scripts/init-top/ORDER
find scripts em | cpio -o -H newc --quiet > extra.cpio
cat /tmp/guest/initrd.img extra.cpio > "$OUT"
echo "$OUT"
