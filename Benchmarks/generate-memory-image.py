#!/usr/bin/env python3
"""Writes a save image whose migration stream looks like a guest's memory.

Usage: generate-memory-image.py OUT [GUEST_MIB]   (default 1536 MiB of guest RAM)

Header and data region (domain XML, cookie, padding) are copied from a real
libvirt 9.0 fixture; the stream is a well-formed QEMU 7.2 migration stream
built the way QEMU writes one: "QEVM" v3, the configuration section
(pc-i440fx-7.2), the "ram" section (START with the block list, PART sections
of page records, END), QEMU_VM_EOF and a VM description JSON. Guest pages are
a deterministic mix (seeded): 30% zero pages (9-byte ZERO records, as QEMU
sends them), 35% text-like pages (slices of a 64 MiB word corpus), 20%
random pages, 15% mixed pages (8 slices of 512 bytes from a pool of small
integers, kernel-like pointers, text and zeros).
With the default size the raw stream is about 1.1 GB.
"""
import random
import struct
import sys

PAGE = 4096
FIXTURE = "testdata/libvirt-9.0/qemu64-raw-running.sav"


def section_header(kind, section_id, name=None, instance=0, version=4):
    out = bytes([kind]) + struct.pack(">I", section_id)
    if name is not None:
        out += bytes([len(name)]) + name + struct.pack(">II", instance, version)
    return out


def footer(section_id):
    return b"\x7e" + struct.pack(">I", section_id)


def main():
    out_path = sys.argv[1]
    guest_mib = int(sys.argv[2]) if len(sys.argv) > 2 else 1536
    ram = guest_mib << 20
    rng = random.Random(20240601)
    fixture = open(FIXTURE, "rb").read()
    data_len = struct.unpack("<I", fixture[20:24])[0]

    words = ["".join(rng.choice("etaoinshrdlucmfwypvbgkqjxz") for _ in range(rng.randint(2, 10))).encode()
             for _ in range(6000)]
    seps = [b" ", b" ", b" ", b", ", b".\n", b"\n", b"=", b"/", b"_", b": "]
    corpus = bytearray()
    while len(corpus) < 64 << 20:
        corpus += b"".join(rng.choice(words) + rng.choice(seps) for _ in range(4096))

    # 512-byte slices for mixed pages: small integers, kernel-like pointers, text, zeros.
    mixed = []
    for _ in range(16384):
        kind = rng.randrange(4)
        if kind == 0:
            mixed.append(b"".join(struct.pack("<Q", rng.randrange(256)) for _ in range(64)))
        elif kind == 1:
            base = 0xffff888000000000 + rng.randrange(1 << 24) * 64
            mixed.append(b"".join(struct.pack("<Q", base + rng.randrange(4096)) for _ in range(64)))
        elif kind == 2:
            at = rng.randrange(0, len(corpus) - 512)
            mixed.append(bytes(corpus[at:at + 512]))
        else:
            mixed.append(bytes(512))

    with open(out_path, "wb", buffering=8 << 20) as f:
        f.write(fixture[:92 + data_len])
        machine = b"pc-i440fx-7.2"
        f.write(b"QEVM" + struct.pack(">I", 3) + b"\x07" + struct.pack(">I", len(machine)) + machine)
        blocks = [(b"pc.ram", ram), (b"pc.bios", 256 << 10), (b"pc.rom", 128 << 10)]
        total = sum(size for _, size in blocks)
        start = section_header(0x01, 2, b"ram", 0, 4) + struct.pack(">Q", total | 0x04)
        for name, size in blocks:
            start += bytes([len(name)]) + name + struct.pack(">Q", size)
        f.write(start + struct.pack(">Q", 0x10) + footer(2))
        addr = 0
        pages = ram // PAGE
        while addr < pages:
            part = bytearray(section_header(0x02, 2))
            for index in range(addr, min(pages, addr + 4096)):
                flags_cont = 0x20 if index != addr else 0
                block_id = b"" if flags_cont else b"\x06pc.ram"
                roll = rng.random()
                if roll < 0.30:
                    part += struct.pack(">Q", index * PAGE | 0x02 | flags_cont) + block_id + b"\x00"
                    continue
                part += struct.pack(">Q", index * PAGE | 0x08 | flags_cont) + block_id
                if roll < 0.65:
                    at = rng.randrange(0, len(corpus) - PAGE)
                    part += corpus[at:at + PAGE]
                elif roll < 0.85:
                    part += rng.randbytes(PAGE)
                else:
                    page = b"".join(rng.choice(mixed) for _ in range(PAGE // 512))
                    part += page
            addr = min(pages, addr + 4096)
            f.write(part + struct.pack(">Q", 0x10) + footer(2))
        end = section_header(0x03, 2) + struct.pack(">Q", 0x10) + footer(2)
        f.write(end + b"\x00")
        description = b'{"page_size": 4096, "devices": []}'
        f.write(b"\x06" + struct.pack(">I", len(description)) + description)


if __name__ == "__main__":
    main()
