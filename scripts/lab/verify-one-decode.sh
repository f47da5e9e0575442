#!/bin/bash
# verify decodes a compressed stream under 64 MiB once (the walk keeps the tail the
# device-state check reads): bytes read from the image per verify, counted with strace,
# for two saveimg binaries (e.g. main's and this branch's) on a real-guest zstd image.
#
#   scripts/lab/verify-one-decode.sh OLD_SAVEIMG NEW_SAVEIMG [IMAGE] [CAPTURE]
set -u
cd "$(dirname "$0")/../.."
IMG=${3:-/tmp/rg/images/rg-11-pc72-zstd.sav}
CAP=${4:-testdata/targets/lab-libvirt-12.8.json}
echo "| binary | image bytes | bytes read from the image | read calls | seconds | verdict |"
echo "|---|---|---|---|---|---|"
for b in "$1" "$2"; do
  t0=$(date +%s.%N)
  strace -f -e trace=openat,read,pread64 -o /tmp/one-decode.st "$b" verify --json --target "$CAP" "$IMG" > /tmp/one-decode.json
  t1=$(date +%s.%N)
  python3 - "$b" "$IMG" "$(echo "$t1-$t0" | bc -l | cut -c1-5)" <<'PY'
import json, os, re, sys
b, img, secs = sys.argv[1:4]
fds = {}; total = calls = 0
for line in open("/tmp/one-decode.st"):
    m = re.search(r'openat\(.*"([^"]+)".*\)\s+=\s+(\d+)', line)
    if m: fds[m.group(2)] = m.group(1); continue
    m = re.search(r'(pread64|read)\((\d+),.*\)\s+=\s+(\d+)', line)
    if m and fds.get(m.group(2)) == img and int(m.group(3)) > 0: total += int(m.group(3)); calls += 1
v = json.load(open("/tmp/one-decode.json"))["verdict"]
print(f"| {b} | {os.path.getsize(img)} | {total} | {calls} | {secs} (strace) | {v} |")
PY
done
