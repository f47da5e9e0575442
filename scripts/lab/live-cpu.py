#!/usr/bin/env python3
"""Reads a domain XML (virsh dumpxml) on stdin and prints its CPU in one line:
model, then +feature for require/force and -feature for disable/forbid."""
import sys
import xml.etree.ElementTree as ET

cpu = ET.fromstring(sys.stdin.read()).find("cpu")
if cpu is None:
    print("no <cpu>")
    sys.exit(0)
parts = [cpu.findtext("model") or "(no model)"]
for feature in cpu.findall("feature"):
    sign = "-" if feature.get("policy") in ("disable", "forbid") else "+"
    parts.append(sign + feature.get("name", "?"))
print(" ".join(parts))
