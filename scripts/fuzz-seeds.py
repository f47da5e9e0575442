#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora, generated from the real fixtures.

    scripts/fuzz-seeds.py OUTDIR

Fixtures: testdata/libvirt-9.0, testdata/libvirt-9.0-lab and, when present,
/work/shared/fixtures/* (libvirt 7.0, 9.0, 11.3, the sparse images unpacked
from sparse-images.tar.zst). One subdirectory per harness:

image/   the file cut after the data region plus 512 stream bytes; a compact
         copy with the padding removed (data_len shrunk to the documents); an
         extension chained; a big-endian header.
xml/     u16be(L) L program bytes, domain XML, NUL, cookie (see
         Sources/saveimg-fuzz/XMLHarness.swift), with an empty and a few
         random programs.
stream/  u16be(L) program, raw stream (decompressed), compacted: every
         section kept, RAM pages and zero pages after the first few of each
         part dropped (those that carry a block name are kept), so seeds are small.
edit/    u16be(L) program, compact image.
sparse/  u16be(L) program, then a sparse (mapped-ram) image as extents:
         u64be(apparent size), then (u64be offset, u32be length, bytes)
         for each run of non-zero 4 KiB pages, with the page data of each
         RAM block dropped after its first two present pages (holes read as
         zeros; see Sources/saveimg-fuzz/SparseHarness.swift).
"""
import bz2
import gzip
import lzma
import os
import random
import re
import struct
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
STREAM_BYTES = 512


def fixture_files():
    dirs = [os.path.join(ROOT, "testdata", d) for d in ("libvirt-9.0", "libvirt-9.0-lab")]
    shared = "/work/shared/fixtures"
    if os.path.isdir(shared):
        dirs += [os.path.join(shared, d) for d in sorted(os.listdir(shared))]
    files = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if name.endswith(".sav"):
                files.append((os.path.basename(d) + "-" + name[:-4], path))
            elif name.endswith(".tar.zst"):
                files += unpack_sparse(path, os.path.basename(d))
    return files


def unpack_sparse(path, label):
    out = []
    try:
        tmp = tempfile.mkdtemp(prefix="fz-seeds-")
        raw = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
        tar_path = os.path.join(tmp, "a.tar")
        with open(tar_path, "wb") as f:
            f.write(raw)
        with tarfile.open(tar_path) as t:
            for member in t.getmembers():
                if member.name.endswith(".sav"):
                    data = t.extractfile(member).read(2_000_000)
                    p = os.path.join(tmp, os.path.basename(member.name))
                    with open(p, "wb") as f:
                        f.write(data)
                    out.append((label + "-" + os.path.basename(member.name)[:-4], p))
    except (OSError, subprocess.CalledProcessError, tarfile.TarError) as e:
        print("fuzz-seeds: skipping %s: %s" % (path, e), file=sys.stderr)
    return out


def words(data):
    version = struct.unpack_from("<I", data, 16)[0]
    order = "<" if version <= 2 else ">"
    data_len, _, fmt, cookie_offset = struct.unpack_from(order + "IIII", data, 20)
    return data_len, fmt, cookie_offset


def documents(data):
    data_len, _, cookie_offset = words(data)
    region = data[92:92 + data_len]
    xml = region[:region.index(b"\0")]
    cookie = b""
    if cookie_offset:
        end = region.find(b"\0", cookie_offset)
        cookie = region[cookie_offset:end if end >= 0 else len(region)]
    return xml, cookie


def compact(data):
    data_len, _, cookie_offset = words(data)
    xml, cookie = documents(data)
    used = xml + b"\0" + (cookie + b"\0" if cookie_offset else b"")
    header = bytearray(data[:92])
    struct.pack_into("<I", header, 16, 2)
    struct.pack_into("<I", header, 20, len(used))
    struct.pack_into("<I", header, 32, len(xml) + 1 if cookie_offset else 0)
    for off in (24, 28):
        struct.pack_into("<I", header, off, struct.unpack_from("<I", data, off)[0] if data[16] <= 2 else 0)
    stream = data[92 + data_len:92 + data_len + STREAM_BYTES]
    return bytes(header), used, stream


def raw_stream(path, data_len, fmt):
    with open(path, "rb") as f:
        f.seek(92 + data_len)
        body = f.read()
    try:
        if fmt in (0, 6):
            return body
        if fmt == 1:
            return gzip.decompress(body)
        if fmt == 2:
            return bz2.decompress(body)
        if fmt == 3:
            return lzma.decompress(body)
        tool = {4: "lzop", 5: "zstd"}.get(fmt)
        if tool:
            return subprocess.run([tool, "-dc"], input=body, check=True, capture_output=True).stdout
    except (OSError, ValueError, EOFError, lzma.LZMAError, subprocess.CalledProcessError) as e:
        print("fuzz-seeds: cannot decompress %s: %s" % (path, e), file=sys.stderr)
    return None


def compact_stream(s, keep_pages=3):
    """Drops RAM pages sent with CONTINUE after the first few of each part; returns None if the walk fails."""
    out = bytearray(s[:8])
    i = 8
    names = {}
    if i < len(s) and s[i] == 7:  # configuration: 0x07 u32 len name, subsections
        length = struct.unpack_from(">I", s, i + 1)[0]
        j = i + 5 + length
        while j < len(s) and s[j] == 5:
            n = s[j + 1]
            name = s[j + 2:j + 2 + n]
            j += 2 + n + 4
            if name == b"configuration/target-page-bits":
                j += 4
            elif name == b"configuration/uuid":
                j += 16
            elif name == b"configuration/capabilities":
                count = struct.unpack_from(">I", s, j)[0]
                j += 4
                for _ in range(count):
                    j += 1 + s[j]
            else:
                return None
        out += s[i:j]
        i = j

    def ram(i):
        kept = 0
        while True:
            start = i
            word = struct.unpack_from(">Q", s, i)[0]
            flags = word & 0xfff
            i += 8
            if flags & 0x04:
                total = word & ~0xfff
                while total > 0:
                    n = s[i]
                    size = struct.unpack_from(">Q", s, i + 1 + n)[0]
                    i += 1 + n + 8
                    total -= size
            if flags & (0x02 | 0x08) and not flags & 0x20:
                i += 1 + s[i]
            if flags & 0x02:
                i += 1
            elif flags & 0x08:
                i += 4096
            drop = flags & (0x02 | 0x08) and flags & 0x20 and kept >= keep_pages
            if flags & (0x02 | 0x08):
                kept += 1
            if not drop:
                out.extend(s[start:i])
            if flags & 0x10:
                return i

    def footer_end(i, sid):
        marker = b"\x7e" + struct.pack(">I", sid)
        while True:
            k = s.find(marker, i)
            if k < 0:
                return None
            nxt = k + 5
            if nxt >= len(s) or s[nxt] in (0, 2, 3, 8) or (s[nxt] in (1, 4) and struct.unpack_from(">I", s, nxt + 1)[0] not in names):
                return k
            i = k + 1

    while i < len(s):
        t = s[i]
        if t == 0:
            out += s[i:]
            return bytes(out)
        if t in (1, 4):
            sid = struct.unpack_from(">I", s, i + 1)[0]
            n = s[i + 5]
            name = s[i + 6:i + 6 + n]
            names[sid] = name
            head = i + 6 + n + 8
        elif t in (2, 3):
            sid = struct.unpack_from(">I", s, i + 1)[0]
            name = names.get(sid)
            head = i + 5
        elif t == 8:
            length = struct.unpack_from(">H", s, i + 3)[0]
            out += s[i:i + 5 + length]
            i += 5 + length
            continue
        else:
            return None
        out += s[i:head]
        if name == b"ram":
            i = ram(head)
        else:
            end = footer_end(head, sid)
            if end is None:
                return None
            out += s[head:end]
            i = end
        out += s[i:i + 5]
        i += 5
    return bytes(out)


def sparse_files():
    """The full sparse (mapped-ram) images in the fixtures' tar archives."""
    archives = [os.path.join(ROOT, "testdata", "libvirt-11.3", n)
                for n in ("sparse-images.tar.zst", "lab-sparse-images.tar.zst")]
    out = []
    for path in archives:
        if not os.path.isfile(path):
            continue
        try:
            raw = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
            with tarfile.open(fileobj=__import__("io").BytesIO(raw)) as t:
                for member in t.getmembers():
                    if member.name.endswith(".sav"):
                        out.append((os.path.basename(member.name)[:-4], t.extractfile(member).read()))
        except (OSError, subprocess.CalledProcessError, tarfile.TarError) as e:
            print("fuzz-seeds: skipping %s: %s" % (path, e), file=sys.stderr)
    return out


def mapped_ram_pages(d):
    """(pages_offset, size) of each RAM block of a mapped-ram image (absolute file offsets)."""
    m = re.search(rb"\x01....\x03ram\x00\x00\x00\x00\x00\x00\x00\x04", d, re.S)
    if not m:
        return []
    i = m.end()
    remaining = struct.unpack_from(">Q", d, i)[0] & ~0xfff
    i += 8
    blocks = []
    while remaining > 0 and len(blocks) < 64:
        n = d[i]
        size = struct.unpack_from(">Q", d, i + 1 + n)[0]
        pages_offset = struct.unpack_from(">Q", d, i + 1 + n + 8 + 20)[0]
        if size == 0 or size > remaining:
            break
        blocks.append((pages_offset, size))
        remaining -= size
        i = pages_offset + size
    return blocks


def sparse_extents(d, keep_pages=2):
    """The image as extents of non-zero pages, most page data left out."""
    drop = set()
    for pages_offset, size in mapped_ram_pages(d):
        kept = 0
        for off in range(pages_offset, pages_offset + size, 4096):
            if d[off:off + 4096].count(0) != len(d[off:off + 4096]):
                kept += 1
                if kept > keep_pages:
                    drop.add(off)
    out = bytearray(struct.pack(">Q", len(d)))
    off = 0
    while off < len(d):
        page = d[off:off + 4096]
        if off in drop or page.count(0) == len(page):
            off += 4096
            continue
        start = off
        while off < len(d) and off not in drop and d[off:off + 4096].count(0) != len(d[off:off + 4096]):
            off += 4096
        chunk = d[start:min(off, len(d))]
        out += struct.pack(">QI", start, len(chunk)) + chunk
    return bytes(out)


def program(rng, length):
    p = bytes(rng.randrange(256) for _ in range(length))
    return struct.pack(">H", len(p)) + p


def write(out, sub, name, data):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, sub, name), "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "seeds"
    rng = random.Random(11)
    streams_seen = set()
    for stem, path in fixture_files():
        with open(path, "rb") as f:
            data = f.read(200_000)
        try:
            data_len, fmt, cookie_offset = words(data)
            xml, cookie = documents(data)
        except (ValueError, struct.error):
            continue
        write(out, "image", stem + "-cut", data[:92 + data_len + STREAM_BYTES])
        header, used, stream = compact(data)
        small = header + used + stream
        write(out, "image", stem + "-compact", small)
        if cookie_offset:
            ext = b"<ext xmlns='urn:example:saveimg'>1</ext>\0"
            h = bytearray(header)
            struct.pack_into("<I", h, 20, len(used) + len(ext))
            write(out, "image", stem + "-ext", bytes(h) + used + ext + stream)
        be = bytearray(header)
        for off in (16, 20, 24, 28, 32):
            (v,) = struct.unpack_from("<I", be, off)
            struct.pack_into(">I", be, off, v)
        write(out, "image", stem + "-bigendian", bytes(be) + used + stream)
        documents_bytes = xml + b"\0" + cookie
        write(out, "xml", stem, program(rng, 0) + documents_bytes)
        for k in range(3):
            write(out, "xml", "%s-p%d" % (stem, k), program(rng, 4 * (k + 1)) + documents_bytes)
        write(out, "edit", stem, program(rng, 0) + small)
        for k in range(3):
            write(out, "edit", "%s-p%d" % (stem, k), program(rng, 6 * (k + 1)) + small)
        raw = raw_stream(path, data_len, fmt)
        if raw is None:
            continue
        compacted = compact_stream(raw) if fmt != 6 else None
        chosen = compacted if compacted is not None else raw[:65536]
        if chosen in streams_seen:
            continue
        streams_seen.add(chosen)
        write(out, "stream", stem, program(rng, 0) + chosen)
        for k in range(3):
            write(out, "stream", "%s-p%d" % (stem, k), program(rng, 3 * (k + 1)) + chosen)
    for stem, data in sparse_files():
        extents = sparse_extents(data)
        write(out, "sparse", stem, program(rng, 0) + extents)
        for k in range(3):
            write(out, "sparse", "%s-p%d" % (stem, k), program(rng, 4 * (k + 1)) + extents)
    for sub in ("image", "xml", "stream", "edit", "sparse"):
        d = os.path.join(out, sub)
        n = len(os.listdir(d)) if os.path.isdir(d) else 0
        size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d)) if n else 0
        print("fuzz-seeds: %s: %d seeds, %d bytes" % (sub, n, size), file=sys.stderr)


if __name__ == "__main__":
    main()
