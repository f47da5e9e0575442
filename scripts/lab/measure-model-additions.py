#!/usr/bin/env python3
"""Measure which features QEMU enables on top of each usable libvirt CPU model
(what libvirt then records in the save cookie), in the shared lab:

    flock /tmp/libvirt-lab.lock python3 scripts/lab/measure-model-additions.py \
        testdata/capabilities/lab-libvirt-9.0-domcapabilities.xml

Starts a transient 32 MiB diskless guest per model (check='partial'), reads
the live <cpu>, destroys it. Prints `model: feature feature ...` lines (the
features libvirt added with policy require), or `model: !error` on failure.
"""
import re
import subprocess
import sys

VIRSH = ["virsh", "-c", "qemu:///system"]
DOMAIN = """<domain type='qemu'>
  <name>verify-additions</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>{model}</model></cpu>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><controller type='usb' model='none'/>
  <memballoon model='none'/></devices>
</domain>"""

caps = open(sys.argv[1]).read()
custom = re.search(r"<mode name='custom'.*?</mode>", caps, re.S).group(0)
models = re.findall(r"<model usable='yes'[^>]*>([^<]+)</model>", custom)
for model in models:
    path = "/tmp/verify-additions.xml"
    open(path, "w").write(DOMAIN.format(model=model))
    r = subprocess.run(VIRSH + ["create", path], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"{model}: !{(r.stderr or r.stdout).strip()}")
        continue
    live = subprocess.run(VIRSH + ["dumpxml", "verify-additions"], capture_output=True, text=True).stdout
    subprocess.run(VIRSH + ["destroy", "verify-additions"], capture_output=True)
    cpu = re.search(r"<cpu.*?</cpu>", live, re.S).group(0)
    added = re.findall(r"<feature policy='require' name='([^']+)'/>", cpu)
    disabled = re.findall(r"<feature policy='disable' name='([^']+)'/>", cpu)
    print(f"{model}: " + " ".join(added) + ("" if not disabled else " -" + " -".join(disabled)), flush=True)
