#!/usr/bin/env bash
# Makes the secrets fixtures: the qemu64 guest with a VNC password (and, on
# libvirt 9.0, whose QEMU has SPICE, a SPICE password too), saved by a real
# libvirt, plus what `virsh save-image-dumpxml` prints for it with and without
# --security-info (the reference saveimg's secret hiding is compared with).
#   scripts/lab/make-secrets-fixture.sh [OUTDIR]   (default testdata/secrets)
# Needs the labs of ../shared/libvirt-lab (9.0 on this machine, 11.3 chroot).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath "${1:-testdata/secrets}")
mkdir -p "$out" /tmp/vp
base=testdata/libvirt-9.0/domain-qemu64.xml
make_xml() { # name graphics-lines
  sed "s#<name>.*</name>#<name>$1</name>#; /<uuid>/d; s#<memballoon model='none'/>#$2\n    <memballoon model='none'/>#" "$base"
}
vnc="<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='vnc-pw42'/>"
spice="<graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1' passwd='spice-s3cret-pw'/>"
one() { # label virsh-command... (the rest of the line)
  local label=$1 name=$2 graphics=$3; shift 3
  local V=("$@")
  make_xml "$name" "$graphics" > /tmp/vp/$name.xml
  "${V[@]}" destroy "$name" >/dev/null 2>&1 || true
  "${V[@]}" undefine "$name" >/dev/null 2>&1 || true
  "${V[@]}" define /tmp/vp/$name.xml >/dev/null
  "${V[@]}" start "$name" >/dev/null
  rm -f /tmp/vp/$label.sav
  "${V[@]}" save "$name" /tmp/vp/$label.sav >/dev/null
  "${V[@]}" undefine "$name" >/dev/null
  cp /tmp/vp/$label.sav "$out/$label.sav"
  "${V[@]}" save-image-dumpxml /tmp/vp/$label.sav > "$out/$label.virsh-dumpxml.xml"
  "${V[@]}" save-image-dumpxml --security-info /tmp/vp/$label.sav > "$out/$label.virsh-dumpxml-security-info.xml"
  "${V[@]}" save-image-dumpxml --xpath '//graphics' /tmp/vp/$label.sav > "$out/$label.virsh-xpath-graphics.txt" || true
  "${V[@]}" save-image-dumpxml --xpath '//graphics/@port' --wrap /tmp/vp/$label.sav > "$out/$label.virsh-xpath-port-wrap.txt" || true
  "${V[@]}" save-image-dumpxml --xpath 'string(//name)' /tmp/vp/$label.sav > "$out/$label.virsh-xpath-string.txt" 2>&1 || true
}
one vnc-spice-9.0 vp-secrets-9 "$vnc\n    $spice" virsh -q -c qemu:///system
one vnc-11.3 vp-secrets-11 "$vnc" ../shared/libvirt-lab/setup-11.sh virsh -q
chmod 644 "$out"/*
ls -l "$out"
