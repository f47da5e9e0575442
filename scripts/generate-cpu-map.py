#!/usr/bin/env python3
"""Generate Sources/SaveImage/Verify/CPUMapTable.swift from libvirt's cpu_map.

libvirt's x86 CPU map (public, LGPL) is read, never copied: the output holds
only derived facts:
  * every x86 feature name -> the first libvirt release (of those sampled)
    whose cpu_map knows it,
  * every x86 model name -> the first release knowing it, and the model's
    features (inheritance `<model name='X'/>` inside a model resolved) taken
    from the newest map read.

Sources (pass them explicitly; the script records them in the output):
  --git DIR        a libvirt git directory with release tags vX.Y.Z; every
                   tag is read: src/cpu/cpu_map.xml (up to 4.6) or
                   src/cpu_map/index.xml + x86_*.xml (4.7 on).
  --installed DIR:VERSION
                   an installed cpu_map directory (e.g.
                   /usr/share/libvirt/cpu_map:9.0.0), read after the tags.

Usage (as run for the committed table):
  scripts/generate-cpu-map.py \
      --git /work/.mirror/starlingx-staging+stx-libvirt/repo \
      --installed /usr/share/libvirt/cpu_map:9.0.0 \
      > Sources/SaveImage/Verify/CPUMapTable.swift
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def git_show(git_dir, rev, path):
    try:
        return subprocess.run(["git", "-C", git_dir, "show", f"{rev}:{path}"],
                              check=True, capture_output=True).stdout
    except subprocess.CalledProcessError:
        return None


def models_and_features(x86_elements):
    """(features, models) from a list of elements that are (or contain) x86
    <feature> and <model> definitions. features: names in map order;
    models: name -> (parents, features)."""
    features, models = [], {}
    for element in x86_elements:
        for f in element.findall("feature"):
            if f.get("name") and f.get("name") not in features:
                features.append(f.get("name"))
        for m in element.findall("model"):
            name = m.get("name")
            if not name:
                continue
            parents = [p.get("name") for p in m.findall("model") if p.get("name")]
            own = [f.get("name") for f in m.findall("feature")
                   if f.get("name") and f.get("policy", "require") != "disable"]
            models[name] = (parents, own)
    return features, models


def read_single_map(data):
    root = ET.fromstring(data)
    arches = [a for a in root.findall("arch") if a.get("name") == "x86"]
    return models_and_features(arches)


def read_split_map(read):
    """read(filename) -> bytes or None, for the split (4.7+) layout."""
    index = ET.fromstring(read("index.xml"))
    elements = []
    for arch in index.findall("arch"):
        if arch.get("name") != "x86":
            continue
        for inc in arch.findall("include"):
            data = read(inc.get("filename"))
            if data is not None:
                elements.append(ET.fromstring(data))
    return models_and_features(elements)


def resolve(models, name, seen=()):
    parents, own = models[name]
    result = []
    for parent in parents:
        if parent in models and parent not in seen:
            result += resolve(models, parent, seen + (name,))
    result += own
    return sorted(set(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--git")
    parser.add_argument("--installed", action="append", default=[])
    args = parser.parse_args()

    snapshots = []  # (version, features, models, source)
    if args.git:
        tags = subprocess.run(["git", "-C", args.git, "tag"], check=True, capture_output=True,
                              text=True).stdout.split()
        releases = sorted((t[1:] for t in tags if re.fullmatch(r"v\d+\.\d+\.\d+", t)), key=version_key)
        for version in releases:
            tag = "v" + version
            single = git_show(args.git, tag, "src/cpu/cpu_map.xml")
            if single is not None:
                snapshots.append((version, *read_single_map(single), f"git {tag}:src/cpu/cpu_map.xml"))
                continue
            if git_show(args.git, tag, "src/cpu_map/index.xml") is not None:
                fm = read_split_map(lambda f: git_show(args.git, tag, "src/cpu_map/" + f))
                snapshots.append((version, *fm, f"git {tag}:src/cpu_map/"))
    for spec in args.installed:
        directory, version = spec.rsplit(":", 1)

        def read(f, d=directory):
            p = os.path.join(d, f)
            return open(p, "rb").read() if os.path.exists(p) else None

        snapshots.append((version, *read_split_map(read), f"installed {directory} (libvirt {version})"))
    snapshots.sort(key=lambda s: version_key(s[0]))
    if not snapshots:
        sys.exit("no cpu_map sources given")

    feature_since, model_since = {}, {}
    for version, features, models, _ in snapshots:
        for f in features:
            feature_since.setdefault(f, version)
        for m in models:
            model_since.setdefault(m, version)
    newest_version, newest_features, newest_models, _ = snapshots[-1]
    # Newest map order first (the order libvirt lists features in messages),
    # then names only older releases knew.
    ordered = list(newest_features) + sorted(f for f in feature_since if f not in newest_features)

    out = []
    w = out.append
    w("// GENERATED by scripts/generate-cpu-map.py; do not edit. Derived facts only.")
    w("// Sources: libvirt's cpu_map (x86) at these releases:")
    first, last = snapshots[0], snapshots[-1]
    git_versions = [s[0] for s in snapshots if s[3].startswith("git")]
    if git_versions:
        w(f"//   git tags v{git_versions[0]} .. v{git_versions[-1]} ({len(git_versions)} releases)")
    for s in snapshots:
        if not s[3].startswith("git"):
            w(f"//   {s[3]}")
    w("")
    w("/// libvirt's x86 CPU map, reduced to what `saveimg verify` needs.")
    w("enum CPUMapTable {")
    w("    /// The libvirt releases whose cpu_map was read, oldest first.")
    w("    static let sampledReleases: [String] = [")
    for i in range(0, len(snapshots), 12):
        w("        " + ", ".join(f'"{s[0]}"' for s in snapshots[i:i + 12]) + ",")
    w("    ]")
    w(f'    /// The newest release read: the model table is from it.')
    w(f'    static let newestRelease = "{newest_version}"')
    w("")
    w("    /// (feature name, first sampled release whose cpu_map knows it), in the")
    w("    /// newest map's order (libvirt's order in messages); names dropped later last.")
    w("    static let featureSince: [(name: String, since: String)] = [")
    for f in ordered:
        w(f'        ("{f}", "{feature_since[f]}"),')
    w("    ]")
    w("")
    w("    /// Model name -> (first sampled release knowing it, its features in the newest map).")
    w("    static let models: [String: (since: String, features: String)] = [")
    for m in sorted(model_since):
        feats = " ".join(resolve(newest_models, m)) if m in newest_models else ""
        w(f'        "{m}": ("{model_since[m]}", "{feats}"),')
    w("    ]")
    w("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
