#!/bin/bash
# QEMU 11.x mapped-ram with x-ignore-shared, measured on the 12.8 lab (QEMU 11.1).
#
# QEMU 11.0 writes a RAM block skipped under x-ignore-shared (a shared,
# file-backed memory backend) with bitmap_offset = pages_offset = 0 and no
# bitmap or pages, and puts each block's be64 guest address before its
# mapped-ram header (migration/ram.c, "Fix writing mapped_ram + ignore_shared
# snapshots" and "fix parsing snapshots with x-ignore-shared flag", 11.0).
#
# This script makes such a stream with the lab's own QEMU 11.1 (no libvirt:
# libvirt never turns x-ignore-shared on), at the stream offset of the 12.8
# sparse fixture, and puts the fixture's libvirt header and XML in front, so
# saveimg reads a real QEMU 11.1 stream. It also makes the same stream
# without x-ignore-shared as a control. Then:
#   1. saveimg inspect / check --deep / export-memory read both;
#   2. QEMU 11.1 itself loads the x-ignore-shared stream (same shared file,
#      x-ignore-shared on at the destination): the layout is QEMU's;
#   3. libvirt 12.8 restores the control and refuses the x-ignore-shared
#      image, and saveimg verify predicts both.
#
#   scripts/lab/ignore-shared-check.sh [SAVEIMG]    (default .build/debug/saveimg)
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
saveimg=${1:-$repo/.build/debug/saveimg}
lab12=/work/shared/libvirt-lab/setup-12.sh
fixtures=${FIXTURES:-/work/shared/fixtures}
work=/tmp/saveimg-ignore-shared
rm -rf "$work"; mkdir -p "$work"
tar -xS --zstd -f "$fixtures/libvirt-12.8/sparse-images.tar.zst" -C "$work"
base=$work/qemu64-sparse.sav
offset=$(( 92 + $(od -An -tu4 -j20 -N4 "$base" | tr -d ' ') ))
machine=pc-i440fx-11.1
pass=0; fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

qmp() {  # qmp SOCKET 'json' ... : sends each command, prints each answer
    python3 - "$@" <<'PY'
import json, socket, sys, time
sock = socket.socket(socket.AF_UNIX)
for _ in range(100):
    try: sock.connect(sys.argv[1]); break
    except OSError: time.sleep(0.1)
f = sock.makefile('rw')
json.loads(f.readline())
def call(cmd):
    f.write(json.dumps(cmd) + "\n"); f.flush()
    while True:
        reply = json.loads(f.readline())
        if 'return' in reply or 'error' in reply: return reply
call({"execute": "qmp_capabilities"})
for text in sys.argv[2:]:
    if text == "wait-migration":
        for _ in range(600):
            r = call({"execute": "query-migrate"})["return"]
            if r.get("status") in ("completed", "failed"): print(json.dumps(r)); break
            time.sleep(0.1)
        continue
    print(json.dumps(call(json.loads(text))))
PY
}

# The guest the fixture's XML describes, as libvirt 12.8 starts it
# (`virsh domxml-to-native qemu-argv`), with its RAM in a shared file.
uuid=$("$saveimg" dumpxml "$base" | sed -n 's|.*<uuid>\(.*\)</uuid>.*|\1|p' | head -1)
guest=(-machine "$machine,usb=off,dump-guest-core=off,memory-backend=pc.ram,acpi=off" -accel tcg -cpu qemu64 -m size=32768k
       -smp 1,sockets=1,cores=1,threads=1 -uuid "$uuid" -display none -no-user-config -nodefaults -rtc base=utc
       -no-shutdown -boot strict=on -chardev null,id=charserial0 -device isa-serial,chardev=charserial0,id=serial0,index=0)

# QEMU 11.1 with guest RAM in a shared file filled with a pattern (so the
# skipped block's contents are known to live outside the image).
make_stream() {  # make_stream NAME IGNORE_SHARED(true|false)
    local name=$1 ignore=$2 sock=$work/$1.qmp
    python3 -c "
import sys
with open('$work/$name.ram', 'wb') as f:
    for i in range(32 * 256): f.write(bytes([i % 251 + 1]) * 4096)"
    $lab12 run qemu-system-x86_64 "${guest[@]}" \
        -object "memory-backend-file,id=pc.ram,size=32M,mem-path=$work/$name.ram,share=on" \
        -S -qmp "unix:$sock,server=on,wait=off" > "$work/$name.qemu.log" 2>&1 &
    qmp "$sock" \
        '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"mapped-ram","state":true},{"capability":"x-ignore-shared","state":'"$ignore"'}]}}' \
        '{"execute":"migrate","arguments":{"uri":"file:'"$work/$name.stream"',offset='"$offset"'"}}' \
        wait-migration '{"execute":"quit"}' > "$work/$name.qmp.log"
    wait
    cp "$work/$name.stream" "$work/$name.sav"
    dd if="$base" of="$work/$name.sav" bs=1 count="$offset" conv=notrunc status=none
}
make_stream ignored true
make_stream control false
grep -q '"status": "completed"' "$work/ignored.qmp.log" && ok "QEMU 11.1 saved with mapped-ram + x-ignore-shared" \
    || bad "QEMU 11.1 save with x-ignore-shared: $(cat "$work/ignored.qmp.log")"
grep -q '"status": "completed"' "$work/control.qmp.log" && ok "QEMU 11.1 saved with mapped-ram only" \
    || bad "QEMU 11.1 control save: $(cat "$work/control.qmp.log")"

# 1. saveimg reads both.
for name in ignored control; do
    if "$saveimg" check --deep "$work/$name.sav" > "$work/$name.check" 2>&1; then ok "check --deep $name"
    else bad "check --deep $name: $(tail -3 "$work/$name.check")"; fi
    "$saveimg" inspect "$work/$name.sav" > "$work/$name.inspect" 2>&1
done
grep -q "shared memory, not in the image" "$work/ignored.inspect" \
    && ok "inspect names the skipped (shared) block" || bad "inspect does not name the skipped block: $(grep -i pc.ram "$work/ignored.inspect")"

# 2. QEMU 11.1 loads its own x-ignore-shared stream (same shared RAM file).
sock=$work/load.qmp
$lab12 run qemu-system-x86_64 "${guest[@]}" \
    -object "memory-backend-file,id=pc.ram,size=32M,mem-path=$work/ignored.ram,share=on" \
    -S -incoming defer -qmp "unix:$sock,server=on,wait=off" > "$work/load.qemu.log" 2>&1 &
qmp "$sock" \
    '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"mapped-ram","state":true},{"capability":"x-ignore-shared","state":true}]}}' \
    '{"execute":"migrate-incoming","arguments":{"uri":"file:'"$work/ignored.sav"',offset='"$offset"'"}}' \
    wait-migration '{"execute":"quit"}' > "$work/load.qmp.log"
wait
grep -q '"status": "completed"' "$work/load.qmp.log" && ok "QEMU 11.1 loads the x-ignore-shared stream" \
    || bad "QEMU 11.1 load: $(cat "$work/load.qmp.log" "$work/load.qemu.log" | tail -5)"

# 3. libvirt 12.8 restore vs saveimg verify (the 12.8 lab's capture).
# (The image keeps the fixture's name and UUID: a renamed XML is an ABI change.)
domain=$("$saveimg" dumpxml "$base" | sed -n 's|.*<name>\(.*\)</name>.*|\1|p' | head -1)
for name in ignored control; do
    "$saveimg" verify --target "$repo/testdata/targets/lab-libvirt-12.8.json" "$work/$name.sav" > "$work/$name.verify" 2>&1
    echo "verify rc=$?" >> "$work/$name.verify"
    if $lab12 virsh restore "$work/$name.sav" > "$work/$name.restore" 2>&1; then
        echo "restored" >> "$work/$name.restore"; $lab12 virsh destroy "$domain" > /dev/null 2>&1
    fi
done
grep -q restored "$work/control.restore" && ok "libvirt 12.8 restores the control" || bad "control restore: $(cat "$work/control.restore")"
grep -q "verify rc=0" "$work/control.verify" && ok "verify: control restores" || bad "verify control: $(cat "$work/control.verify")"
if grep -q restored "$work/ignored.restore"; then bad "libvirt 12.8 restored the x-ignore-shared image"
else ok "libvirt 12.8 refuses the x-ignore-shared image: $(grep -v '^$' "$work/ignored.restore" | tail -1)"; fi
grep -q "verify rc=3" "$work/ignored.verify" && ok "verify: x-ignore-shared image will fail" || bad "verify ignored: $(cat "$work/ignored.verify")"
# 4. Every generation: a real raw image of that lab with x-ignore-shared added
#    to its configuration section's capability list (QEMU checks the list
#    before any RAM). libvirt's message vs verify's, with that lab's capture.
cat > "$work/addcap.py" <<'PY'
import struct, sys
src, dst, cap = sys.argv[1], sys.argv[2], sys.argv[3]
b = bytearray(open(src, 'rb').read())
data_len = struct.unpack_from('<I', b, 20)[0]
so = 92 + data_len
assert b[so:so+4] == b'QEVM', b[so:so+4]
p = so + 8
assert b[p] == 7
mlen = struct.unpack_from('>I', b, p + 1)[0]
q = p + 5 + mlen
name = b'configuration/capabilities'
# walk subsections; insert/extend the capabilities one (order: target-page-bits, capabilities, uuid)
while b[q] == 5:
    nl = b[q + 1]; sname = bytes(b[q + 2:q + 2 + nl]); body = q + 2 + nl + 4
    if sname == name:
        count = struct.unpack_from('>I', b, body)[0]
        r = body + 4
        for _ in range(count): r += 1 + b[r]
        struct.pack_into('>I', b, body, count + 1)
        b[r:r] = bytes([len(cap)]) + cap.encode()
        break
    if sname == b'configuration/uuid':
        sub = bytes([5, len(name)]) + name + struct.pack('>I', 1) + struct.pack('>I', 1) + bytes([len(cap)]) + cap.encode()
        b[q:q] = sub
        break
    size = {b'configuration/target-page-bits': 4}[sname]
    q = body + size
else:
    sub = bytes([5, len(name)]) + name + struct.pack('>I', 1) + struct.pack('>I', 1) + bytes([len(cap)]) + cap.encode()
    b[q:q] = sub
open(dst, 'wb').write(b)
PY
declare -A raw=([7.0]=qemu64-raw.sav [9.0]=qemu64-raw-running.sav [11.3]=qemu64-raw.sav [12.8]=qemu64-raw.sav)
declare -A virsh=([7.0]="/work/shared/libvirt-lab/setup-7.sh virsh" [9.0]="virsh -c qemu:///system"
                  [11.3]="/work/shared/libvirt-lab/setup-11.sh virsh" [12.8]="$lab12 virsh")
printf '%-6s %-70s %s\n' lab "libvirt says" "saveimg verify predicts" > "$work/generations.txt"
for v in 7.0 9.0 11.3 12.8; do
    image=$work/cap-$v.sav
    python3 "$work/addcap.py" "$fixtures/libvirt-$v/${raw[$v]}" "$image" x-ignore-shared
    said=$(${virsh[$v]} restore "$image" 2>&1 | grep -v '^$' | grep -v '^error: Failed to restore' | sed 's/^error: //; s/^internal error: qemu unexpectedly closed the monitor: //; s/^[0-9T:.-]*Z qemu-system-x86_64: //' | head -1)
    predicted=$("$saveimg" verify --target "$repo/testdata/targets/lab-libvirt-$v.json" --json "$image" 2>/dev/null \
        | python3 -c "import json,sys; d=json.loads(sys.stdin.readline()); r=[x for x in d.get('findings', d.get('reasons', [])) if x['code']=='stream_capability_mismatch']; print(r[0]['libvirt_message'] if r else 'no stream_capability_mismatch')")
    printf '%-6s %-70s %s\n' "$v" "$said" "$predicted" >> "$work/generations.txt"
    case "$said" in "") bad "libvirt $v said nothing";; *"$predicted"*) ok "libvirt $v refuses x-ignore-shared as verify predicts: $said";;
                    *) bad "libvirt $v: said '$said', verify predicted '$predicted'";; esac
done
cat "$work/generations.txt"
echo "ignore-shared-check: $pass passed, $fail failed (files in $work)"
[ "$fail" -eq 0 ]
