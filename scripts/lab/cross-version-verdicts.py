#!/usr/bin/env python3
"""Re-judges the toy cross-version matrix (the real restores of
`scripts/lab/cross-version-matrix.sh`, its results TSV) with the current
`saveimg verify --target <lab capture>` without restoring again: for each
row, the image it restored (the fixture, or the run's modified/sparse copy),
the verdict now, beside the real outcome and the verdict the run recorded.

    scripts/lab/cross-version-verdicts.py [SAVEIMG] [MATRIX_DIR]   (default .build/debug/saveimg, /tmp/vx/matrix)

Prints a Markdown table of the rows whose verdict changed or disagrees, and a
last line `N rows: A agree, D disagree, C cannot tell`.
"""
import glob, json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..")
saveimg = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/saveimg"
w = sys.argv[2] if len(sys.argv) > 2 else "/tmp/vx/matrix"
fixtures = [os.path.join(root, "testdata"), "/work/shared/fixtures", os.path.join(root, "..", "shared", "fixtures")]

def source(gen, base):
    if gen.endswith("-mod"):
        found = glob.glob(os.path.join(w, f"mod-{gen[:-4]}-*", base + ".sav"))
    else:
        found = [os.path.join(d, f"libvirt-{gen}", base + ".sav") for d in fixtures]
        found += glob.glob(os.path.join(w, f"sparse-{gen}-*", base + ".sav")) + glob.glob(os.path.join(w, f"mod-{gen}-*", base + ".sav"))
    return next((f for f in found if os.path.exists(f)), None)

tsv = sorted(glob.glob(os.path.join(w, "results-*.tsv")))[-1]
agree = disagree = cannot = missing = 0
print("| image (saved by) | target | real restore | verdict then | verdict now | agrees |")
print("|---|---|---|---|---|---|")
for line in open(tsv):
    p = line.rstrip("\n").split("\t")
    if len(p) < 5: continue
    gen, base, lab, real, then = p[:5]
    path = source(gen, base)
    if not path:
        missing += 1; print(f"| {base} ({gen}) | {lab} | {real[:60]} | {then} | (image not found) | - |"); continue
    capture = os.path.join(root, "testdata", "targets", f"lab-libvirt-{lab}.json")
    run = subprocess.run([saveimg, "verify", "--json", "--target", capture, path], capture_output=True, text=True)
    try: now = json.loads(run.stdout.splitlines()[0]).get("verdict", "?")
    except (IndexError, ValueError): now = "error"
    restored = real.startswith("OK")
    if now == "cannot_tell": cannot += 1; mark = "cannot tell"
    elif restored == (now in ("ok", "warning")): agree += 1; mark = "yes"
    else: disagree += 1; mark = "NO"
    if mark != "yes" or now != then:
        print(f"| {base} ({gen}) | {lab} | {real[:90]} | {then} | {now} | {mark} |")
print(f"{agree + disagree + cannot} rows: {agree} agree, {disagree} disagree, {cannot} cannot tell ({missing} images not found)")
