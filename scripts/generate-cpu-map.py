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
      --installed /srv/bullseye/usr/share/libvirt/cpu_map:7.0.0 \
      --installed /usr/share/libvirt/cpu_map:9.0.0 \
      --installed /srv/trixie/usr/share/libvirt/cpu_map:11.3.0 \
      > Sources/SaveImage/Verify/CPUMapTable.swift

  The git directory is a mirror of libvirt with its release tags up to v4.7.0
  (github:starlingx-staging/stx-libvirt; github:libvirt/libvirt itself was too
  large to fetch here). The installed maps are Debian's packages:
  libvirt-daemon 7.0.0-3+deb11u3 (bullseye), 9.0.0-4+deb12u2 (bookworm),
  11.3.0-3+deb13u3 (trixie), i.e. the three libvirt labs. Between two sampled
  releases a name's first release is not known exactly: the table keeps the
  sampled release before it, and saveimg says "added between A and B".
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
        for inc in arch.iter("include"):  # 11.x nests includes in <group>
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

    versions = [s[0] for s in snapshots]

    def presence(name, kind):
        """(since, before, until, after): first and last sampled release whose
        map has `name`, and the sampled releases just outside them ("" = none)."""
        idx = [i for i, s in enumerate(snapshots) if name in (s[1] if kind == "f" else s[2])]
        first, last = idx[0], idx[-1]
        before = versions[first - 1] if first > 0 else ""
        after = versions[last + 1] if last + 1 < len(versions) else ""
        return versions[first], before, (versions[last] if after else ""), after

    all_features, all_models = [], []
    for _, features, models, _ in snapshots:
        all_features += [f for f in features if f not in all_features]
        all_models += [m for m in models if m not in all_models]
    newest_version, newest_features, newest_models, _ = snapshots[-1]
    # Newest map order first (the order libvirt lists features in messages),
    # then names only older releases knew.
    ordered = list(newest_features) + sorted(f for f in all_features if f not in newest_features)
    # Model definitions (features, inheritance resolved) from every installed map
    # and the newest git tag: a target uses the nearest one at or below it.
    definition_sources = [s for s in snapshots if not s[3].startswith("git")]
    git_snaps = [s for s in snapshots if s[3].startswith("git")]
    if git_snaps:
        definition_sources = [git_snaps[-1]] + definition_sources

    out = []
    w = out.append
    w("// GENERATED by scripts/generate-cpu-map.py; do not edit. Derived facts only.")
    w("// Sources: libvirt's cpu_map (x86) at these releases:")
    git_versions = [s[0] for s in git_snaps]
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
    w('    /// The newest release read.')
    w(f'    static let newestRelease = "{newest_version}"')
    w("")
    w("    /// Feature name -> (first sampled release whose map has it, the sampled release")
    w("    /// before that, the last sampled release having it when a later one dropped it, that")
    w("    /// later one; \"\" = none), in the newest map's order (libvirt's order in messages).")
    w("    static let features: [(name: String, since: String, before: String, until: String, after: String)] = [")
    for f in ordered:
        a, b, c, d = presence(f, "f")
        w(f'        ("{f}", "{a}", "{b}", "{c}", "{d}"),')
    w("    ]")
    w("")
    w("    /// Model name -> (since, before, until, after) as for features.")
    w("    static let models: [String: (since: String, before: String, until: String, after: String)] = [")
    for m in sorted(all_models):
        a, b, c, d = presence(m, "m")
        w(f'        "{m}": ("{a}", "{b}", "{c}", "{d}"),')
    w("    ]")
    w("")
    w("    /// Model definitions (features, inheritance resolved) per release read, oldest first.")
    w("    static let definitions: [(release: String, models: [String: String])] = [")
    for version, _, models, _ in definition_sources:
        w(f'        ("{version}", [')
        for m in sorted(models):
            w(f'            "{m}": "{" ".join(resolve(models, m))}",')
        w("        ]),")
    w("    ]")
    w("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
