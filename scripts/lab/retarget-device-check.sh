#!/bin/bash
# retarget with the device-state and firmware checks, for real: 11.3/12.8 guests pinned to
# QEMU 7.2's machine types (zstd, some above 64 MiB) retargeted to the 9.0 lab's capture (zstd ->
# gzip), the output verified and restored on 9.0; and an 11.3 guest retargeted to 12.8 (refused:
# virtqueue sizes, as the real restore fails). Copies are renamed h4-rt-N (domains on the lab).
#
#   scripts/lab/retarget-device-check.sh [SAVEIMG] [IMAGE...]
set -u
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}"); shift || true
IMAGES=${*:-/tmp/rg/images/rg-11-pc72-zstd.sav /tmp/rg/images/rg-11-q3572-zstd.sav /tmp/rg/images/rg-12-pc72-zstd.sav /tmp/rg/images/rg-12-q3572-zstd.sav}
W=${W:-/tmp/h4/rt}; mkdir -p $W; chmod 700 $W
T9=testdata/targets/lab-libvirt-9.0.json; T12=testdata/targets/lab-libvirt-12.8.json
echo "| image (bytes) | target | retarget exit | plan / refusal | seconds | output verdict | real restore of the output |"
echo "|---|---|---|---|---|---|---|"
n=0
for img in $IMAGES; do
  n=$((n+1)); name=h4-rt-$n; base=$(basename $img .sav)
  $S dumpxml "$img" > $W/$name.xml
  sed -i "s#<name>.*</name>#<name>$name</name>#; s#<uuid>.*</uuid>#<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>#" $W/$name.xml
  rm -f $W/$name-in.sav $W/$name-out.sav
  $S define --force "$img" $W/$name.xml --output $W/$name-in.sav >/dev/null
  for t in 9.0 12.8; do
    [ $t = 12.8 ] && [[ $base != rg-11-* ]] && continue
    cap=$([ $t = 9.0 ] && echo $T9 || echo $T12)
    t0=$(date +%s.%N)
    $S retarget $W/$name-in.sav --target $cap --output $W/$name-out.sav --json > $W/$name-$t.json 2>$W/$name-$t.err; rc=$?
    t1=$(date +%s.%N)
    real="-"
    if [ $rc = 0 ] && [ $t = 9.0 ]; then
      real=$(virsh -c qemu:///system restore $W/$name-out.sav 2>&1 | tr '\n' ' ' | cut -c1-120)
      virsh -c qemu:///system destroy $name >/dev/null 2>&1; virsh -c qemu:///system undefine --nvram $name >/dev/null 2>&1
    fi
    python3 - $W/$name-$t.json "$base ($(stat -c %s $img))" $t $rc "$(echo "$t1-$t0" | bc -l | cut -c1-5)" "$real" <<'PY'
import json, sys
path, image, target, rc, secs, real = sys.argv[1:7]
try: r = json.loads(open(path).read().splitlines()[0])
except Exception: r = {}
plan = "; ".join(r.get("plan") or []) or ("refused: " + ", ".join(sorted({x["code"] for x in r.get("refusals", [])})) if r.get("refusals") else "-")
print(f"| {image} | {target} | {rc} | {plan} | {secs} | {r.get('verdict', '?')} | {real} |")
PY
    rm -f $W/$name-out.sav
  done
  rm -f $W/$name-in.sav
done
