#!/bin/bash
# Opt-in (not CI): puts extreme values into the domain XML of
# testdata/libvirt-9.0/westmere-raw.sav and prints, side by side, what
# libvirt 9.0 (`virsh save-image-dumpxml`) and `saveimg inspect --json` make
# of each: the measurements behind Tests/SaveImageTests/Hostile/HostileExtremeValueTests.swift.
#
#   scripts/lab/extreme-values.sh [path/to/saveimg]
#
# Never sends <vcpu> -1, 4294967295 or >= 2^31: they crash or hang libvirtd
# 9.0 (if it dies anyway: ../shared/libvirt-lab/setup.sh start).
set -u
cd "$(dirname "$0")/../.."
S=$(realpath "${1:-.build/debug/saveimg}")
[ -x "$S" ] || { echo "build saveimg first (swift build)"; exit 1; }
WORK=$(mktemp -d /tmp/saveimg-extremes.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
make_image() {  # FIELD VALUE OUT
    python3 - "$1" "$2" "$3" <<'PY'
import re, struct, sys
field, value, out = sys.argv[1:]
d = open("testdata/libvirt-9.0/westmere-raw.sav", "rb").read()
data_len, _, _, co = struct.unpack_from("<IIII", d, 20)
region = d[92:92 + data_len]
xml = region[:region.index(b"\0")].decode()
cookie = region[co:region.index(b"\0", co)]
pattern = {"memory": r"<memory unit='KiB'>\d+</memory>", "currentMemory": r"<currentMemory unit='KiB'>\d+</currentMemory>",
           "vcpu": r"<vcpu placement='static'>\d+</vcpu>", "unit": r"<memory unit='KiB'>\d+</memory>"}[field]
new = {"memory": "<memory unit='KiB'>%s</memory>", "currentMemory": "<currentMemory unit='KiB'>%s</currentMemory>",
       "vcpu": "<vcpu placement='static'>%s</vcpu>", "unit": "<memory unit='%s'>32768</memory>"}[field] % value
xml = re.sub(pattern, lambda m: new, xml).encode()
body = xml + b"\0" + cookie + b"\0"
dl = max(data_len, len(body))
body += b"\0" * (dl - len(body))
h = bytearray(d[:92]); struct.pack_into("<I", h, 20, dl); struct.pack_into("<I", h, 32, len(xml) + 1)
open(out, "wb").write(bytes(h) + body + d[92 + data_len:])
PY
}
printf "%-14s %-24s | %-60s | %s\n" field value "libvirt 9.0 save-image-dumpxml" "saveimg inspect --json (memory, current, vcpus / libvirt_message)"
for case in memory:0 memory:-1 memory:4294967296 memory:9223372036854775808 memory:18446744073709551615 \
        memory:18446744073709551616 memory:1e400 memory:0x10 memory:+5 memory: "memory: 65536" "memory:65536 " \
        currentMemory:0 currentMemory:-1 currentMemory: currentMemory:4294967296 currentMemory:+5 \
        currentMemory:9223372036854775807 vcpu:0 vcpu:+5 vcpu: vcpu:0x10 vcpu:1e400 "vcpu: 2 " unit: unit:zib unit:EB; do
    field=${case%%:*} value=${case#*:}
    img=$WORK/x.sav
    make_image "$field" "$value" "$img"
    lv=$(timeout 30 virsh -q -c qemu:///system save-image-dumpxml "$img" 2>&1 \
        | grep -E "error|<memory|<currentMemory|<vcpu" | head -3 | tr '\n' ' ' | sed 's/  */ /g')
    si=$("$S" inspect --json "$img" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d.get("domain") or {}
e = d.get("error") or {}
print(m.get("memory_kib"), m.get("current_memory_kib"), m.get("vcpus"), "/", e.get("libvirt_message", ""))')
    printf "%-14s %-24s | %-60s | %s\n" "$field" "'$value'" "${lv:0:60}" "$si"
done
