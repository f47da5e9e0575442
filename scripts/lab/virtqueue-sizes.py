#!/usr/bin/env python3
"""What a QEMU allocates per virtqueue (vring.num_default) for the virtio
devices libvirt gives realistic guests, per machine type: starts the QEMU
(paused, no guest) with the devices, asks QMP `x-query-virtio-queue-status`
for each queue, prints one JSON object: {vmstate name: [sizes...]}.

    virtqueue-sizes.py [--qemu qemu-system-x86_64] MACHINE
Run inside a lab with `setup-N.sh run python3 .../virtqueue-sizes.py pc-q35-10.0`.
"""
import json, subprocess, sys

qemu = "qemu-system-x86_64"
args = sys.argv[1:]
if args[:1] == ["--qemu"]:
    qemu, args = args[1], args[2:]
machine = args[0]
# id -> (driver, vmstate name, queues to ask)
devices = {
    "blk": ("virtio-blk-pci,drive=d0,num-queues=2", "virtio-blk", 2),
    "net": ("virtio-net-pci,netdev=n0", "virtio-net", 3),
    "rng": ("virtio-rng-pci", "virtio-rng", 1),
    "balloon": ("virtio-balloon-pci", "virtio-balloon", 3),
}
cmd = [qemu, "-machine", machine + ",accel=tcg", "-nodefaults", "-display", "none", "-S", "-qmp", "stdio",
       "-drive", "if=none,id=d0,driver=null-co", "-netdev", "user,id=n0"]
for ident, (driver, _, _) in devices.items():
    cmd += ["-device", driver + ",id=" + ident]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

def ask(command, arguments=None):
    message = {"execute": command}
    if arguments is not None:
        message["arguments"] = arguments
    p.stdin.write(json.dumps(message) + "\n"); p.stdin.flush()
    while True:
        reply = json.loads(p.stdout.readline())
        if "return" in reply or "error" in reply:
            return reply

p.stdout.readline()  # greeting
ask("qmp_capabilities")
result = {"machine": machine}
for ident, (_, name, queues) in devices.items():
    sizes = []
    for q in range(queues):
        r = ask("x-query-virtio-queue-status", {"path": "/machine/peripheral/%s/virtio-backend" % ident, "queue": q})
        sizes.append(r["return"]["vring-num-default"] if "return" in r else None)
    result[name] = sizes
ask("quit")
p.wait(timeout=30)
print(json.dumps(result))
