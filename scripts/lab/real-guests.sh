#!/bin/bash
# Realistic guests on the four libvirt labs (issue 26): a Debian kernel +
# initramfs booted directly to the (initramfs) shell, virtio devices, q35+OVMF,
# i440fx+SeaBIOS with 2 vCPUs, a > 3.5 GiB guest, a NUMA + DIMM guest.
# Saved in every format each lab writes without restarting its daemon
# (7.0/9.0: raw; 11.3/12.8: raw, zstd, sparse), then restored on every lab.
#
#   scripts/lab/real-guests.sh make LAB [GUEST...]   boot, save, destroy (LAB: 7 9 11 12)
#   scripts/lab/real-guests.sh restore IMAGE LAB [--parallel-channels 2]
#                                                     one real restore; prints the result line
#   scripts/lab/real-guests.sh matrix [LAB...]       every image in $RG/images on each LAB -> $RG/matrix.tsv
#   scripts/lab/real-guests.sh dumps                 -dump-vmstate of each lab's QEMU per machine type -> $RG/dumps
#   scripts/lab/real-guests.sh firmware              each lab's domcapabilities loaders + sizes -> $RG/firmware
#
# Needs /tmp/guest/{vmlinuz,initrd.img} (linux-image-amd64 on the host) and
# `ovmf` in each lab. Images stay in $RG (default /tmp/rg), never in git.
# Domains are named rg-*; only those are destroyed/undefined. Not run by CI.
set -u
RG=${RG:-/tmp/rg}
LABDIR=${LABDIR:-/work/shared/libvirt-lab}
mkdir -p "$RG/images" "$RG/guest" "$RG/dumps" "$RG/firmware"
chmod 700 "$RG/images"

virsh_on() {  # virsh_on LAB ARGS...
    local lab=$1; shift
    case $lab in
        9) virsh -c qemu:///system "$@" ;;
        7|11|12) "$LABDIR/setup-$lab.sh" virsh "$@" ;;
        *) echo "unknown lab $lab" >&2; return 2 ;;
    esac
}
run_on() {  # run_on LAB CMD...
    local lab=$1; shift
    if [ "$lab" = 9 ]; then "$@"; else "$LABDIR/setup-$lab.sh" run "$@"; fi
}
formats_of() { case $1 in 7|9) echo raw ;; *) echo "raw zstd sparse" ;; esac; }

# Guests: name machine vcpus MiB firmware extra
#   firmware: seabios | ovmf4m | ovmf2m (OVMF_CODE.fd, Debian 11/12 only)
#   extra: numa (2 cells + a 256 MiB DIMM) | none
#   pc72/q3572: pinned to QEMU 7.2's machine types, for retarget to 9.0
GUESTS="q35uefi:q35:1:512:ovmf4m:none pc2cpu:pc:2:512:seabios:none big:pc:1:4608:seabios:none numa:q35:2:768:seabios:numa q35ovmf2m:q35:1:512:ovmf2m:none pc72:pc-i440fx-7.2:2:512:seabios:none q3572:pc-q35-7.2:1:512:ovmf4m:none"
guest_spec() { for g in $GUESTS; do [ "${g%%:*}" = "$1" ] && { echo "$g"; return; }; done; return 1; }

domain_xml() {  # domain_xml LAB GUEST
    local lab=$1 spec name machine vcpus mib fw extra
    spec=$(guest_spec "$2") || { echo "unknown guest $2" >&2; return 2; }
    IFS=: read -r name machine vcpus mib fw extra <<<"$spec"
    local dom="rg-$lab-$name" loader="" memory mem_extra="" numa="" dimm=""
    case $fw in
        ovmf4m) loader="<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>$RG/guest/${dom}_VARS.fd</nvram>" ;;
        ovmf2m) loader="<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS.fd'>$RG/guest/${dom}_VARS.fd</nvram>" ;;
    esac
    memory="<memory unit='MiB'>$mib</memory>"
    if [ "$extra" = numa ]; then
        local half=$((mib / 2))
        mem_extra="<maxMemory slots='4' unit='MiB'>4096</maxMemory>"
        memory="<memory unit='MiB'>$((mib + 256))</memory><currentMemory unit='MiB'>$((mib + 256))</currentMemory>"
        numa="<cpu><numa><cell id='0' cpus='0' memory='$half' unit='MiB'/><cell id='1' cpus='1' memory='$half' unit='MiB'/></numa></cpu>"
        dimm="<memory model='dimm'><target><size unit='MiB'>256</size><node>0</node></target></memory>"
    fi
    truncate -s 16M "$RG/guest/$dom-disk.img"
    cat <<XML
<domain type='qemu'>
  <name>$dom</name>
  $mem_extra
  $memory
  <vcpu placement='static'>$vcpus</vcpu>
  <os>
    <type arch='x86_64' machine='$machine'>hvm</type>
    $loader
    <kernel>/tmp/guest/vmlinuz</kernel>
    <initrd>/tmp/guest/initrd.img</initrd>
    <cmdline>console=ttyS0</cmdline>
  </os>
  <features><acpi/><apic/></features>
  $numa
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$RG/guest/$dom-disk.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'><model type='virtio'/></interface>
    <serial type='file'><source path='$RG/guest/console-$dom.log' append='on'/><target port='0'/></serial>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc'><listen type='socket' socket='$RG/guest/vnc-$dom.sock'/></graphics>
    <video><model type='vga'/></video>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='virtio'/>
    $dimm
  </devices>
</domain>
XML
}

wait_prompt() {  # wait_prompt LOG SECONDS: the initramfs shell prompt in the console log
    local log=$1 limit=$2 t=0
    while [ $t -lt "$limit" ]; do
        grep -q '(initramfs)' "$log" 2>/dev/null && return 0
        sleep 3; t=$((t + 3))
    done
    return 1
}

make_guest() {  # make_guest LAB GUEST
    local lab=$1 guest=$2 dom="rg-$1-$2" xml
    xml="$RG/guest/$dom.xml"
    domain_xml "$lab" "$guest" > "$xml" || return 1
    rm -f "$RG/guest/console-$dom.log" "$RG/guest/${dom}_VARS.fd"
    virsh_on "$lab" destroy "$dom" >/dev/null 2>&1
    virsh_on "$lab" undefine --nvram "$dom" >/dev/null 2>&1
    virsh_on "$lab" define "$xml" >/dev/null || { echo "$dom: define failed"; return 1; }
    local t0=$SECONDS
    virsh_on "$lab" start "$dom" >/dev/null || { echo "$dom: start failed"; virsh_on "$lab" undefine --nvram "$dom" >/dev/null 2>&1; return 1; }
    if ! wait_prompt "$RG/guest/console-$dom.log" 400; then
        echo "$dom: no (initramfs) prompt after 400 s"; tail -3 "$RG/guest/console-$dom.log"
        virsh_on "$lab" destroy "$dom" >/dev/null 2>&1; virsh_on "$lab" undefine --nvram "$dom" >/dev/null 2>&1
        return 1
    fi
    local boot=$((SECONDS - t0)) first=1
    for fmt in $(formats_of "$lab"); do
        local out="$RG/images/$dom-$fmt.sav"
        rm -f "$out"
        if [ $first = 0 ]; then
            virsh_on "$lab" restore "$prev" >/dev/null || { echo "$dom: restore of $prev for the next save failed"; break; }
        fi
        if [ "$lab" = 7 ] || [ "$lab" = 9 ]; then
            virsh_on "$lab" save "$dom" "$out" >/dev/null
        else
            virsh_on "$lab" save "$dom" "$out" --image-format "$fmt" >/dev/null
        fi
        echo "$dom: boot ${boot}s, saved $fmt $(stat -c %s "$out" 2>/dev/null) bytes"
        prev=$out; first=0
    done
    virsh_on "$lab" destroy "$dom" >/dev/null 2>&1
    virsh_on "$lab" undefine --keep-nvram "$dom" >/dev/null 2>&1
}

# One real restore, then: does the guest still run? Magic SysRq 'h' on the
# PS/2 keyboard must make the kernel print to the serial console.
restore_one() {  # restore_one IMAGE LAB [virsh restore options]
    local image=$1 lab=$2; shift 2
    local name dom out rc alive="-"
    name=$(basename "$image" .sav)
    dom=$(strings -n 8 "$image" 2>/dev/null | head -c 200000 | sed -n 's:.*<name>\(rg-[^<]*\)</name>.*:\1:p' | head -1)
    out=$(timeout 300 bash -c "$(declare -f virsh_on); LABDIR=$LABDIR; virsh_on $lab restore '$image' $*" 2>&1); rc=$?
    if [ $rc = 0 ] && [ -n "$dom" ]; then
        local log="$RG/guest/console-$dom.log" before
        before=$(stat -c %s "$log" 2>/dev/null || echo 0)
        virsh_on "$lab" send-key "$dom" KEY_LEFTALT KEY_SYSRQ KEY_H >/dev/null 2>&1
        sleep 4
        if tail -c +$((before + 1)) "$log" 2>/dev/null | grep -q -i 'sysrq'; then alive=console_answers; else alive=console_silent; fi
        virsh_on "$lab" destroy "$dom" >/dev/null 2>&1
    fi
    out=$(echo "$out" | tr '\n' ' ' | sed 's/  */ /g')
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$lab" "$([ $rc = 0 ] && echo restored || echo failed)" "$alive" "${out:0:400}"
}

case ${1:-} in
    make)
        lab=$2; shift 2
        for g in ${*:-q35uefi pc2cpu big numa}; do make_guest "$lab" "$g"; done ;;
    xml) domain_xml "$2" "$3" ;;
    restore) shift; restore_one "$@" ;;
    matrix)
        shift
        for image in "$RG"/images/*.sav; do
            for lab in ${*:-7 9 11 12}; do restore_one "$image" "$lab" | tee -a "$RG/matrix.tsv"; done
        done ;;
    convert)
        # convert LAB IMAGE FMT...: saveimg convert IMAGE to each FMT, restore each output on LAB
        # (sparse also with --parallel-channels 2), record in $RG/conversions.tsv.
        lab=$2 image=$3; shift 3
        SAVEIMG=${SAVEIMG:-$(dirname "$0")/../saveimg}
        mkdir -p "$RG/conv"; chmod 700 "$RG/conv"
        for fmt in "$@"; do
            out="$RG/conv/$(basename "$image" .sav)-to-$fmt.sav"
            rm -f "$out"
            t0=$SECONDS
            if ! "$SAVEIMG" convert "$image" "$out" --format "$fmt" > "$RG/conv/convert.log" 2>&1; then
                printf '%s\t%s\t%s\tconvert_failed\t-\t%s\n' "$(basename "$image" .sav)" "$fmt" "$lab" "$(tail -1 "$RG/conv/convert.log")" | tee -a "$RG/conversions.tsv"
                continue
            fi
            secs=$((SECONDS - t0))
            restore_one "$out" "$lab" | sed "s/^/$(basename "$image" .sav)\t$fmt(${secs}s)\t/" | tee -a "$RG/conversions.tsv"
            if [ "$fmt" = sparse ] && [ "$lab" -ge 11 ]; then
                restore_one "$out" "$lab" --parallel-channels 2 | sed "s/^/$(basename "$image" .sav)\tsparse+parallel2\t/" | tee -a "$RG/conversions.tsv"
            fi
            rm -f "$out"
        done ;;
    dumps)
        for lab in 7 9 11 12; do
            v=$(run_on $lab qemu-system-x86_64 --version | head -1 | awk '{print $4}')
            for m in pc q35 $(run_on $lab qemu-system-x86_64 -machine help | awk '/^pc-(i440fx|q35)-[0-9]/{print $1}' | sort -V | tail -4); do
                run_on $lab qemu-system-x86_64 -machine "$m",accel=tcg -nodefaults -display none -dump-vmstate "$RG/dumps/qemu-$v-$m.json" \
                    && echo "lab $lab QEMU $v $m -> $RG/dumps/qemu-$v-$m.json"
            done
        done ;;
    firmware)
        for lab in 7 9 11 12; do
            virsh_on $lab domcapabilities --virttype qemu --machine q35 > "$RG/firmware/domcaps-$lab-q35.xml"
            run_on $lab sh -c 'for f in /usr/share/OVMF/*.fd; do echo "$f $(stat -c %s $f)"; done' > "$RG/firmware/ovmf-sizes-$lab.txt"
            echo "lab $lab: $(grep -o '<value>[^<]*</value>' "$RG/firmware/domcaps-$lab-q35.xml" | tr '\n' ' ')"
        done ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
esac
