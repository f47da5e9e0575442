#!/usr/bin/env bash
# Makes more real fixtures with the lab's libvirt 9.0 (../shared/libvirt-lab):
# the qemu64 guest saved with save_image_format bzip2 and lzop, and a managed
# save. Runs under /tmp/libvirt-lab.lock and restores save_image_format raw.
#   scripts/lab/make-fixtures.sh [OUTDIR]   (default testdata/libvirt-9.0-lab)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath "${1:-testdata/libvirt-9.0-lab}")
mkdir -p "$out"
lab=../shared/libvirt-lab/setup.sh
exec flock /tmp/libvirt-lab.lock bash -c '
set -euo pipefail
out=$1 lab=$2
V="virsh -q -c qemu:///system"
name=fixture-lab-qemu64
xml=$(mktemp); trap "rm -f $xml; bash $lab set-format raw >/dev/null 2>&1 || true" EXIT
sed "s#<name>.*</name>#<name>$name</name>#; /<uuid>/d" testdata/libvirt-9.0/domain-qemu64.xml > $xml
$V define $xml >/dev/null
for fmt in bzip2 lzop; do
  bash $lab set-format $fmt >/dev/null 2>&1
  $V start $name >/dev/null
  $V save $name $out/qemu64-$fmt.sav >/dev/null
done
bash $lab set-format raw >/dev/null 2>&1
$V start $name >/dev/null
$V managedsave $name >/dev/null
cp /var/lib/libvirt/qemu/save/$name.save $out/qemu64-managedsave.sav
$V managedsave-remove $name >/dev/null
$V undefine $name >/dev/null
chmod 644 $out/*.sav
ls -l $out
' make-fixtures "$out" "$lab"
