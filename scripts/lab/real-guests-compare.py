#!/usr/bin/env python3
"""Joins the real restores ($RG/matrix.tsv, scripts/lab/real-guests.sh matrix)
with verify's verdicts ($RG/verdicts.tsv, RealGuestsLabTests) and says for
each image x lab whether they agree, outcome and reason.

    real-guests-compare.py [RG]          -> markdown table on stdout, summary last
    real-guests-compare.py --grid [RG]   -> image x lab grid: real result / verdict
"""
import re, sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
rg = args[0] if args else "/tmp/rg"
real = {}
for line in open(rg + "/matrix.tsv"):
    p = line.rstrip("\n").split("\t")
    if len(p) >= 5:
        real[(p[0], p[1])] = (p[2], p[3], p[4])
verdicts = {}
for line in open(rg + "/verdicts.tsv"):
    p = line.rstrip("\n").split("\t")
    if len(p) >= 5:
        verdicts[(p[0], p[1])] = (p[2], p[3], p[4])

sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
from real_guests_reasons import real_reason, verdict_reason

if "--grid" in sys.argv:
    # image x lab: real result / verify's verdict
    images = sorted({k[0] for k in real})
    short = {"restored": "R", "failed": "F"}
    print("| image | 7.0 | 9.0 | 11.3 | 12.8 |")
    print("|---|---|---|---|---|")
    for image in images:
        cells = []
        for lab in ["7", "9", "11", "12"]:
            if (image, lab) not in real: cells.append("-"); continue
            outcome, alive, message = real[(image, lab)]
            v = verdicts.get((image, lab))
            cell = short[outcome] + ("+con" if alive == "console_answers" else "") + (" " + real_reason(message) if outcome == "failed" else "")
            if v:
                code = v[2].split(":", 1)[0]
                cell += " / " + ({"ok": "ok", "warning": "ok(w)", "restore_fails": "fail", "invalid": "invalid"}.get(v[1], v[1])) + ("" if code == "-" else " " + code)
            cells.append(cell)
        print(f"| {image} | " + " | ".join(cells) + " |")
    sys.exit(0)

rows, agree, total = [], 0, 0
print("| image | lab | real restore | guest runs | verify (before) | verify (with device state) | reason agrees |")
print("|---|---|---|---|---|---|---|")
for key in sorted(real, key=lambda k: (k[0], int(k[1]))):
    if key not in verdicts: continue
    outcome, alive, message = real[key]
    before, after, reason = verdicts[key]
    code = reason.split(":", 1)[0]
    fails = after in ("restore_fails", "invalid")
    same_outcome = (outcome == "failed") == fails
    if outcome == "failed" and fails:
        same_reason = real_reason(message) == verdict_reason(code, reason.split(":", 1)[1] if ":" in reason else "")
    else:
        same_reason = same_outcome
    total += 1
    agree += same_outcome and same_reason
    rr = real_reason(message) if outcome == "failed" else "-"
    print(f"| {key[0]} | {key[1]} | {outcome} ({rr}) | {alive} | {before} | {after} ({code}) | {'yes' if same_outcome and same_reason else 'NO'} |")
print(f"\n{agree} of {total} agree (outcome and reason)")
