#!/usr/bin/env bash
# Compares saveimg with virsh on a real managed save of the 9.0 lab (../shared/libvirt-lab):
# a guest with a VNC password is managed-saved; then
#   - saveimg dumpxml --managed-save (with/without --security-info, --xpath, --wrap) vs
#     virsh managedsave-dumpxml: the same secrets hidden, the same --xpath output;
#   - saveimg edit --managed-save --paused with a scripted editor (the file it opens has no
#     password), then virsh start restores it paused and the running domain still has its
#     VNC password (virsh dumpxml --security-info).
# Prints PASS/FAIL lines; exit 1 on any FAIL. Domain vp-parity, scratch /tmp/vp/parity.
#   scripts/lab/virsh-parity-check.sh [SAVEIMG]          # libvirt 9.0 on this machine
#   LAB=11 scripts/lab/virsh-parity-check.sh [SAVEIMG]   # libvirt 11.3 chroot (--managed-save-dir into it)
set -uo pipefail
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}")
V="virsh -q -c qemu:///system" savedir=/var/lib/libvirt/qemu/save
if [ "${LAB:-9}" = 11 ]; then V="../shared/libvirt-lab/setup-11.sh virsh -q" savedir=/srv/trixie/var/lib/libvirt/qemu/save; fi
export SAVEIMG_MANAGED_SAVE_DIR=$savedir
name=vp-parity dir=/tmp/vp/parity
mkdir -p $dir
fail=0
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi; }
cleanup() { $V destroy $name >/dev/null 2>&1; $V managedsave-remove $name >/dev/null 2>&1; $V undefine $name >/dev/null 2>&1; }
cleanup
sed "s#<name>.*</name>#<name>$name</name>#; /<uuid>/d; s#<memballoon model='none'/>#<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='pa55wd'/>\n    <memballoon model='none'/>#" \
  testdata/libvirt-9.0/domain-qemu64.xml > $dir/domain.xml
$V define $dir/domain.xml >/dev/null && $V start $name >/dev/null && $V managedsave $name >/dev/null || { echo "FAIL lab setup"; cleanup; exit 1; }
file=$savedir/$name.save
check "managed save exists at $file" "[ -f $file ]"

$V managedsave-dumpxml $name > $dir/virsh.xml
$V managedsave-dumpxml $name --security-info > $dir/virsh-secure.xml
$S dumpxml --managed-save $name > $dir/saveimg.xml
$S dumpxml --managed-save $name --security-info > $dir/saveimg-secure.xml
check "virsh hides the password" "! grep -q pa55wd $dir/virsh.xml && grep -q pa55wd $dir/virsh-secure.xml"
check "saveimg hides the password" "! grep -q pa55wd $dir/saveimg.xml && grep -q \"passwd='pa55wd'\" $dir/saveimg-secure.xml"
check "saveimg --security-info is the stored XML (as virsh's secure view, less libvirt's defaults)" \
  "[ \"\$(grep -c passwd $dir/saveimg-secure.xml)\" = \"\$(grep -c passwd $dir/virsh-secure.xml)\" ]"
for x in //graphics //graphics/@port '/domain/name|/domain/memory' //os/type; do
  for w in "" --wrap; do
    $V managedsave-dumpxml $name --xpath "$x" $w > $dir/vx.txt
    $S dumpxml --managed-save $name --xpath "$x" $w > $dir/sx.txt
    check "--xpath '$x' $w same as virsh" "cmp -s $dir/vx.txt $dir/sx.txt"
  done
done

cat > $dir/editor.sh <<'EOS'
#!/bin/sh
stat -c %a "$1" > /tmp/vp/parity/mode; grep -c pa55wd "$1" > /tmp/vp/parity/seen
sed -i 's#<on_reboot>restart#<on_reboot>destroy#' "$1"
EOS
chmod +x $dir/editor.sh
EDITOR=$dir/editor.sh $S edit --managed-save $name --paused > $dir/edit.out 2>&1
check "edit wrote the managed save" "grep -q 'kept the VNC' $dir/edit.out"
check "edit's temporary file was 0600 and had no password" "[ \"\$(cat $dir/mode)\" = 600 ] && [ \"\$(cat $dir/seen)\" = 0 ]"
check "the edited file still has the password" "$S dumpxml --managed-save $name --security-info | grep -q \"passwd='pa55wd'\""
$V start $name >/dev/null 2>$dir/start.err
check "virsh start restores the edited managed save" "[ \"\$($V domstate $name)\" = paused ]"
check "the restored domain has its VNC password and the edit" \
  "$V dumpxml $name --security-info | grep -q \"passwd='pa55wd'\" && $V dumpxml $name | grep -q '<on_reboot>destroy'"
cleanup
exit $fail
