#!/usr/bin/env python3
"""Measure what real libvirt does when restoring images whose CPU was edited.

Run inside the shared lab's lock (it restores real images):

    flock /tmp/libvirt-lab.lock python3 scripts/lab/verify-cpu-rows.py

Each case copies a libvirt 9.0 fixture, renames the guest (oracle- ->
verify-, same length) and gives it a fresh UUID so it cannot collide with
anyone's domain, rewrites the domain XML and/or cookie in place (same
data_len, so the stream does not move), runs `virsh restore`, records the
outcome, and destroys the guest. Prints a Markdown table.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "testdata", "libvirt-9.0")
VIRSH = ["virsh", "-c", "qemu:///system"]


def read_image(name):
    data = open(os.path.join(FIXTURES, name), "rb").read()
    magic, version, data_len, was_running, fmt, cookie_offset = struct.unpack("<16s5I", data[:36])
    region = data[92:92 + data_len]
    xml_end = region.index(b"\0")
    xml = region[:xml_end].decode()
    cookie = None
    if cookie_offset:
        cookie = region[cookie_offset:region.index(b"\0", cookie_offset)].decode()
    return data, data_len, xml, cookie


def build(name, xml_edit=None, cookie=None, keep_cookie=True):
    """Returns new image bytes: same header and stream, region rewritten."""
    data, data_len, xml, old_cookie = read_image(name)
    xml = xml.replace("<name>oracle-", "<name>verify-")
    xml = re.sub(r"<uuid>[0-9a-f]{8}", "<uuid>feedface", xml)
    if xml_edit:
        xml = xml_edit(xml)
    if keep_cookie and cookie is None:
        cookie = old_cookie
    region = xml.encode() + b"\0"
    cookie_offset = 0
    if cookie is not None:
        cookie_offset = len(region)
        region += cookie.encode() + b"\0"
    assert len(region) <= data_len
    region += b"\0" * (data_len - len(region))
    header = bytearray(data[:92])
    header[32:36] = struct.pack("<I", cookie_offset)
    return bytes(header) + region + data[92 + data_len:]


def restore(image_bytes, label):
    with tempfile.NamedTemporaryFile(suffix=".sav", dir="/tmp", delete=False) as f:
        f.write(image_bytes)
        path = f.name
    try:
        r = subprocess.run(VIRSH + ["restore", path], capture_output=True, text=True, timeout=120)
        out = (r.stdout + r.stderr).strip().replace("\n", " ")
        ok = r.returncode == 0
        cpu = ""
        if ok:
            m = re.search(r"<name>(verify-[^<]+)</name>", image_bytes[:70000].decode(errors="replace"))
            dom = m.group(1)
            live = subprocess.run(VIRSH + ["dumpxml", dom], capture_output=True, text=True).stdout
            c = re.search(r"<cpu.*?</cpu>", live, re.S)
            cpu = " ".join(c.group(0).split()) if c else ""
            subprocess.run(VIRSH + ["destroy", dom], capture_output=True)
        return ("OK" if ok else "FAIL"), out, cpu
    finally:
        os.unlink(path)


def cpu_xml(model, features, check="full"):
    lines = [f"  <cpu mode='custom' match='exact' check='{check}'>",
             f"    <model fallback='forbid'>{model}</model>"]
    lines += [f"    <feature policy='{p}' name='{n}'/>" for n, p in features]
    lines.append("  </cpu>")
    return "\n".join(lines)


def cookie_with(model, features):
    return "<cookie>\n" + cpu_xml(model, features) + "\n  <slirpHelper/>\n</cookie>\n"


def domain_cpu(model, features, check="partial"):
    return lambda xml: re.sub(r"  <cpu.*?</cpu>", cpu_xml(model, features, check), xml, flags=re.S)


R = "require"
CASES = [
    ("qemu64 image unchanged", "qemu64-raw-running.sav", {}),
    ("qemu64 domain, cookie Westmere +pclmuldq,hypervisor,arat", "qemu64-raw-running.sav",
     dict(cookie=cookie_with("Westmere", [("pclmuldq", R), ("hypervisor", R), ("arat", R)]))),
    ("qemu64 domain, cookie Westmere (no features)", "qemu64-raw-running.sav",
     dict(cookie=cookie_with("Westmere", []))),
    ("qemu64 domain, cookie Westmere +hypervisor", "qemu64-raw-running.sav",
     dict(cookie=cookie_with("Westmere", [("hypervisor", R)]))),
    ("Westmere domain, cookie qemu64 +hypervisor,lahf_lm", "westmere-raw.sav",
     dict(cookie=cookie_with("qemu64", [("hypervisor", R), ("lahf_lm", R)]))),
    ("qemu64 cookie +avx512f", "qemu64-raw-running.sav",
     dict(cookie=cookie_with("qemu64", [("hypervisor", R), ("lahf_lm", R), ("avx512f", R)]))),
    ("qemu64 cookie +nosuchfeature", "qemu64-raw-running.sav",
     dict(cookie=cookie_with("qemu64", [("hypervisor", R), ("lahf_lm", R), ("nosuchfeature", R)]))),
    ("no cookie, domain XML Westmere +pclmuldq,hypervisor,arat (updated CPU in domain XML)", "westmere-raw.sav",
     dict(keep_cookie=False,
          xml_edit=domain_cpu("Westmere", [("pclmuldq", R), ("hypervisor", R), ("arat", R)], "full"))),
    ("no cookie, domain XML qemu64 +avx512f (check=partial)", "qemu64-raw-running.sav",
     dict(keep_cookie=False, xml_edit=domain_cpu("qemu64", [("avx512f", R)]))),
    ("no cookie, domain XML qemu64 +x2apic (check=partial)", "qemu64-raw-running.sav",
     dict(keep_cookie=False, xml_edit=domain_cpu("qemu64", [("x2apic", R)]))),
    ("no cookie, domain XML qemu64 +nosuchfeature", "qemu64-raw-running.sav",
     dict(keep_cookie=False, xml_edit=domain_cpu("qemu64", [("nosuchfeature", R)]))),
    ("no cookie, domain XML model Skylake-Server", "qemu64-raw-running.sav",
     dict(keep_cookie=False, xml_edit=domain_cpu("Skylake-Server", []))),
    ("cookie Skylake-Server, domain Skylake-Server", "qemu64-raw-running.sav",
     dict(xml_edit=domain_cpu("Skylake-Server", []), cookie=cookie_with("Skylake-Server", []))),
]


def main():
    only = sys.argv[1:]
    print("| case | restore | libvirt says | live CPU |")
    print("|---|---|---|---|")
    for label, fixture, kw in CASES:
        if only and not any(o in label for o in only):
            continue
        result, out, cpu = restore(build(fixture, **kw), label)
        print(f"| {label} | {result} | {out[:300]} | {cpu[:300]} |", flush=True)


if __name__ == "__main__":
    main()
