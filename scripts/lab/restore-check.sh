#!/bin/bash
# Opt-in (not CI): restores images written by each saveimg editing command with
# the real libvirt of ../shared/libvirt-lab and checks the live guest.
#
#   scripts/lab/restore-check.sh [path/to/saveimg]
#
# Runs under /tmp/libvirt-lab.lock. Every image is first renamed (saveimg define
# --allow-abi-change --output, new name "edit-lab-<fixture>-<case>" and a new UUID) so it
# never collides with other users' domains; restores are transient and destroyed.
set -u
cd "$(dirname "$0")/../.."
SAVEIMG=$(realpath "${1:-.build/debug/saveimg}")
[ -x "$SAVEIMG" ] || { echo "build saveimg first (swift build)"; exit 1; }
export SAVEIMG
exec flock /tmp/libvirt-lab.lock bash -c '
set -u
V="virsh -q -c qemu:///system"
WORK=$(mktemp -d /var/tmp/saveimg-lab.XXXXXX)
trap "rm -rf $WORK" EXIT
S=$SAVEIMG
printf "%-22s %-18s %-8s %-10s %s\n" fixture command write state "live CPU (model, features)"
for fx in qemu64-raw-running westmere-raw qemu64-gzip; do
  for case in add-cpu-ext ext-add ext-remove define define-grow set-paused repair; do
    name="edit-lab-${fx%%-*}-$case"
    base=$WORK/$fx-$case-base.sav; img=$WORK/$fx-$case.sav
    $S dumpxml testdata/libvirt-9.0/$fx.sav > $WORK/x.xml
    sed -i "s#<name>.*</name>#<name>$name</name>#; s#<uuid>.*</uuid>#<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>#" $WORK/x.xml
    $S define --allow-abi-change testdata/libvirt-9.0/$fx.sav $WORK/x.xml --output $base >/dev/null || { echo "$fx $case: base failed"; continue; }
    $S dumpxml --cookie $base | sed -n "/<cpu/,/<\/cpu>/p" > $WORK/cookie-cpu.xml
    expect=""
    case $case in
      add-cpu-ext)
        sed "s#</cpu>#  <feature policy=\"disable\" name=\"sse2\"/>\n</cpu>#" $WORK/cookie-cpu.xml > $WORK/cpu.xml
        cp $base $img; out=$($S add-cpu-ext --verbose $img --cpu $WORK/cpu.xml 2>&1); expect=sse2 ;;
      ext-add)
        echo "<saveimg-ext>lab</saveimg-ext>" > $WORK/e.xml
        cp $base $img; out=$($S ext add --verbose $img $WORK/e.xml 2>&1) ;;
      ext-remove)
        echo "<saveimg-ext>lab</saveimg-ext>" > $WORK/e.xml
        cp $base $img; $S ext add $img $WORK/e.xml >/dev/null; out=$($S ext remove --verbose $img 1 2>&1) ;;
      define)
        sed "s#</name>#</name>\n  <description>lab</description>#" $WORK/x.xml > $WORK/d.xml
        cp $base $img; out=$($S define --verbose $img $WORK/d.xml 2>&1) ;;
      define-grow)
        python3 -c "import sys; s=open(sys.argv[1]).read(); open(sys.argv[2],\"w\").write(s.replace(\"</name>\",\"</name>\n  <description>\"+\"g\"*70000+\"</description>\",1))" $WORK/x.xml $WORK/g.xml
        cp $base $img; out=$($S define --verbose $img $WORK/g.xml 2>&1) ;;
      set-paused)
        cp $base $img; out=$($S set-state --verbose $img --paused 2>&1) ;;
      repair)
        # Regress: the cookie CPU into the domain XML (as libvirt 3.x did), then repair.
        dom_cpu=$(sed -n "/<cpu/,/<\/cpu>/p" $WORK/x.xml)
        printf "%s\n" "$dom_cpu" > $WORK/orig-cpu.xml
        python3 -c "
import re,sys
x=open(sys.argv[1]).read(); c=open(sys.argv[2]).read().strip()
c=re.sub(r\"check=.full.\",\"check=\x27partial\x27\",c)
open(sys.argv[3],\"w\").write(re.sub(r\"<cpu.*?</cpu>\",lambda m:c,x,count=1,flags=re.S))" $WORK/x.xml $WORK/cookie-cpu.xml $WORK/r.xml
        $S define --allow-abi-change $base $WORK/r.xml --output $WORK/regressed.sav >/dev/null
        out=$($S add-cpu-ext --verbose $WORK/regressed.sav --from-domain --original-cpu $WORK/orig-cpu.xml --output $img 2>&1)
        rm -f $WORK/regressed.sav ;;
    esac
    write=$(echo "$out" | sed -n "s/.*wrote \([a-z-]*\).*/\1/p" | head -1)  # --verbose: the write strategy
    [ -n "$write" ] || write="FAILED"
    if r=$($V restore $img 2>&1); then
      state=$($V domstate $name 2>&1 | head -1)
      cpu=$($V dumpxml $name | python3 scripts/lab/live-cpu.py)
      $V destroy $name >/dev/null 2>&1
    else
      state="RESTORE-FAILED"; cpu=$(echo "$r" | tail -1)
    fi
    printf "%-22s %-18s %-8s %-10s %s\n" "$fx" "$case" "$write" "$state" "$cpu"
    rm -f $img $base
  done
done
'
