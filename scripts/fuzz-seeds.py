#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus, generated from the real libvirt 9.0 fixtures.

    scripts/fuzz-seeds.py OUTDIR

For every fixture: (1) the file cut after the data region plus 512 stream
bytes (~68 KB: header, domain XML, cookie, 64 KiB padding, stream start),
and (2) a compact copy with the padding removed (data_len shrunk to the
documents), which libvirt also accepts and which fuzzes much faster.
A few structural variants (extension chained, big-endian header) are added.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "testdata", "libvirt-9.0")
STREAM_BYTES = 512


def cut(data):
    data_len, cookie_offset = struct.unpack_from("<II", data, 20)[0], struct.unpack_from("<I", data, 32)[0]
    return data[: 92 + data_len + STREAM_BYTES], data_len, cookie_offset


def compact(data, data_len, cookie_offset):
    region = data[92 : 92 + data_len]
    xml_end = region.index(b"\0") + 1
    if cookie_offset:
        cookie_end = region.index(b"\0", cookie_offset) + 1
        used = region[:xml_end] + region[cookie_offset:cookie_end]
        new_cookie = xml_end
    else:
        used, new_cookie = region[:xml_end], 0
    header = bytearray(data[:92])
    struct.pack_into("<I", header, 20, len(used))
    struct.pack_into("<I", header, 32, new_cookie)
    stream = data[92 + data_len : 92 + data_len + STREAM_BYTES]
    return bytes(header) + used + stream, header, used, new_cookie, stream


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "seeds"
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(FIXTURES)):
        if not name.endswith(".sav"):
            continue
        with open(os.path.join(FIXTURES, name), "rb") as f:
            data = f.read(200_000)
        head, data_len, cookie_offset = cut(data)
        stem = name[:-4]
        with open(os.path.join(out, stem + "-cut"), "wb") as f:
            f.write(head)
        small, header, used, new_cookie, stream = compact(data, data_len, cookie_offset)
        with open(os.path.join(out, stem + "-compact"), "wb") as f:
            f.write(small)
        if new_cookie:
            ext = b"<ext xmlns='urn:example:saveimg'>1</ext>\0"
            h = bytearray(header)
            struct.pack_into("<I", h, 20, len(used) + len(ext))
            with open(os.path.join(out, stem + "-ext"), "wb") as f:
                f.write(bytes(h) + used + ext + stream)
        # Big-endian header (version > 2 read little-endian: libvirt swaps).
        be = bytearray(header)
        for off in (16, 20, 24, 28, 32):
            (v,) = struct.unpack_from("<I", be, off)
            struct.pack_into(">I", be, off, v)
        with open(os.path.join(out, stem + "-bigendian"), "wb") as f:
            f.write(bytes(be) + used + stream)


if __name__ == "__main__":
    main()
