#!/usr/bin/env python3
"""Make the hand-modified cases of ../shared/reference/libvirt-9.0-behaviour.md
(the rows that pass dumpxml but whose restore outcome depends on the stream,
the cookie or the header) from the real libvirt 9.0 fixtures.

  scripts/lab/make-modified-cases.py FIXTURE_DIR OUT_DIR

FIXTURE_DIR holds qemu64-raw-running.sav (or qemu64-raw.sav), qemu64-gzip.sav and
westmere-raw.sav (../shared/fixtures/libvirt-9.0 or -7.0, or testdata/libvirt-9.0). Every output keeps the
domain name; the matrix script renames before restoring. Hangs (format says gzip,
stream is raw) are left out: they would block a lab for the timeout."""
import os
import struct
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def load(name):
    data = bytearray(open(os.path.join(src, name), "rb").read())
    version, data_len, running, fmt, cookie_off = struct.unpack_from("<5I", data, 16)
    region = bytes(data[92:92 + data_len])
    xml_len = cookie_off if cookie_off else data_len
    xml = region[:xml_len].split(b"\0")[0]
    cookie = region[xml_len:].split(b"\0")[0] if cookie_off else b""
    return {"data": data, "data_len": data_len, "fmt": fmt, "xml": xml, "cookie": cookie,
            "stream": bytes(data[92 + data_len:])}


def build(img, xml=None, cookie=None, stream=None, fmt=None, magic=None, data_len=None):
    xml = img["xml"] if xml is None else xml
    cookie = img["cookie"] if cookie is None else cookie
    stream = img["stream"] if stream is None else stream
    region = xml + b"\0" + (cookie + b"\0" if cookie else b"")
    dl = img["data_len"]
    assert len(region) <= dl
    region += b"\0" * (dl - len(region))
    header = bytearray(img["data"][:92])
    struct.pack_into("<I", header, 20, dl if data_len is None else data_len)
    struct.pack_into("<I", header, 32, len(xml) + 1 if cookie else 0)
    if fmt is not None:
        struct.pack_into("<I", header, 28, fmt)
    if magic is not None:
        header[0:16] = magic
    return bytes(header) + region + stream


def write(name, data):
    open(os.path.join(out, name + ".sav"), "wb").write(data)


raw = load("qemu64-raw-running.sav" if os.path.exists(os.path.join(src, "qemu64-raw-running.sav")) else "qemu64-raw.sav")
gz = load("qemu64-gzip.sav")
wm = load("westmere-raw.sav")

write("raw-stream-cut-half", build(raw, stream=raw["stream"][:len(raw["stream"]) // 2]))
write("gzip-stream-cut-half", build(gz, stream=gz["stream"][:len(gz["stream"]) // 2]))
s = bytearray(gz["stream"]); mid = len(s) // 2
s[mid:mid + 64] = bytes((b ^ 0x5A) for b in s[mid:mid + 64])
write("gzip-stream-corrupt-64", build(gz, stream=bytes(s)))
write("memory-64mib", build(raw, xml=raw["xml"].replace(b">32768</memory>", b">65536</memory>")
                            .replace(b">32768</currentMemory>", b">65536</currentMemory>")))
feat = lambda c, f: c.replace(b"</cpu>", b"  <feature policy='require' name='" + f + b"'/>\n  </cpu>", 1)
write("cookie-requires-avx512f", build(raw, cookie=feat(raw["cookie"], b"avx512f")))
write("cookie-unknown-feature", build(raw, cookie=feat(raw["cookie"], b"nosuchfeature")))
# The behaviour table's row: the qemu64 image's cookie CPU renamed to Westmere.
write("cookie-model-westmere-domain-qemu64",
      build(raw, cookie=raw["cookie"].replace(b">qemu64</model>", b">Westmere</model>")))
# The reverse: the Westmere image's domain XML renamed to qemu64 (cookie as QEMU wrote it).
write("domain-model-qemu64-cookie-westmere",
      build(wm, xml=wm["xml"].replace(b">Westmere</model>", b">qemu64</model>")))
write("format-7", build(raw, fmt=7))
write("format-5-zstd-header", build(raw, fmt=5))
write("no-stream", build(raw, stream=b""))
write("data-len-plus-8", build(raw, data_len=raw["data_len"] + 8))
write("cookie-not-xml", build(raw, cookie=b"this is not xml"))
write("magic-part", build(raw, magic=b"LibvirtQemudPart"))
write("trailing-garbage-7000", build(raw, stream=raw["stream"] + os.urandom(7000)))
write("format-raw-stream-gzip", build(gz, fmt=0))
