#!/usr/bin/env python3
"""Runs `saveimg verify --json --target <lab capture>` for every (image, lab)
row of the real-guest restore matrix ($RG/matrix.tsv, written by
`scripts/lab/real-guests.sh matrix`) and compares verify's verdict with the
real restore, outcome and reason, as `real-guests-compare.py` does; the
verdicts are the command line's, with the captures in testdata/targets
(the target's measured virtqueue limits and listed firmware; no -dump-vmstate).

    scripts/lab/real-guests-verify-cli.py [SAVEIMG] [RG]   (default .build/debug/saveimg, /tmp/rg)
    DEEP=1 ...   verify --deep (decodes compressed streams: their device state is then checked)
    LOCAL=9 ...  only the 9.0 rows, verify with no target option on this (9.0) host: its running
                 libvirt, its QEMU asked for -dump-vmstate on demand (SAVEIMG_LOCAL_TARGET=on)

Prints a Markdown table and a last line `N rows: A agree, D disagree, C cannot tell`;
writes $RG/verdicts-cli.tsv. `cannot tell` rows are not agreement: each names
the input that would decide it.
"""
import json, os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
saveimg = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/saveimg"
rg = sys.argv[2] if len(sys.argv) > 2 else "/tmp/rg"
captures = os.path.join(here, "..", "..", "testdata", "targets")
labs = {"7": "7.0", "9": "9.0", "11": "11.3", "12": "12.8"}

from real_guests_reasons import real_reason, verdict_reason

rows = []
for line in open(os.path.join(rg, "matrix.tsv")):
    p = line.rstrip("\n").split("\t")
    if len(p) >= 5: rows.append(p)
out = open(os.path.join(rg, "verdicts-cli.tsv"), "w")
agree = disagree = cannot = 0
print("| image | lab | real restore | verify (CLI, capture) | first reason | agrees |")
print("|---|---|---|---|---|---|")
local = os.environ.get("LOCAL")
for image, lab, outcome, alive, message in rows:
    if local and lab != local: continue
    path = os.path.join(rg, "images", image + ".sav")
    capture = os.path.join(captures, f"lab-libvirt-{labs[lab]}.json")
    deep = ["--deep"] if os.environ.get("DEEP") == "1" else []
    target = [] if local else ["--target", capture]
    env = dict(os.environ, SAVEIMG_LOCAL_TARGET="on") if local else None
    run = subprocess.run([saveimg, "verify", "--json"] + deep + target + [path], capture_output=True, text=True, env=env)
    try:
        line = json.loads(run.stdout.splitlines()[0])
    except (IndexError, ValueError):
        line = {"verdict": "error", "findings": [], "error": run.stderr.strip()}
    verdict = line.get("verdict", "?")
    findings = [f for f in line.get("findings", []) if f.get("severity") not in ("info",)]
    worst = {"restore_fails": 3, "invalid": 3, "cannot_tell": 2, "warning": 1}
    findings.sort(key=lambda f: -worst.get(f.get("severity"), 0))
    first = findings[0] if findings else {"code": "-", "message": ""}
    out.write(f"{image}\t{lab}\t-\t{verdict}\t{first['code']}: {first['message']}\n")
    fails = verdict in ("restore_fails", "invalid")
    if verdict == "cannot_tell":
        cannot += 1; mark = "cannot tell"
    elif (outcome == "failed") != fails:
        disagree += 1; mark = "NO"
    elif fails and real_reason(message) != verdict_reason(first["code"], first.get("message", "")):
        disagree += 1; mark = "NO (reason)"
    else:
        agree += 1; mark = "yes"
    rr = real_reason(message) if outcome == "failed" else "-"
    print(f"| {image} | {labs[lab]} | {outcome} ({rr}) | {verdict} | {first['code']} | {mark} |")
print(f"{agree + disagree + cannot} rows: {agree} agree, {disagree} disagree, {cannot} cannot tell")
