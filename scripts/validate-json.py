#!/usr/bin/env python3
"""Validates saveimg --json output (JSON Lines on standard input) against
schema/saveimg-output.schema.json.

usage: validate-json.py SCHEMA DEF [< lines]

Every line must be a JSON object valid against #/$defs/DEF (the command's
line, e.g. inspect, edit, scan) and against the schema's top level (one of
the commands' lines). Prints one message per invalid line and exits 1; exits
0 when every line is valid and there is at least one; 3 when the jsonschema
module is missing (scripts/install-deps.sh installs python3-jsonschema).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-json: the Python jsonschema module is missing; run scripts/install-deps.sh "
          "(Debian package python3-jsonschema)", file=sys.stderr)
    sys.exit(3)


def explain(error):
    """The error inside a failed oneOf/anyOf: the branch that came closest
    (fewest errors), followed down to a leaf."""
    while error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        closest = min(branches.values(), key=lambda errors: (len(errors), -max(len(e.absolute_path) for e in errors)))
        error = max(closest, key=lambda e: len(e.absolute_path))
    return error


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    name = sys.argv[2]
    if name not in schema.get("$defs", {}):
        print(f"validate-json: no $defs/{name} in {sys.argv[1]}", file=sys.stderr)
        return 2
    jsonschema.Draft202012Validator.check_schema(schema)
    whole = jsonschema.Draft202012Validator(schema)
    command = jsonschema.Draft202012Validator(
        {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"})
    failures = 0
    count = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            print(f"line {number}: empty line", file=sys.stderr)
            failures += 1
            continue
        count += 1
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            print(f"line {number}: not JSON: {error}", file=sys.stderr)
            failures += 1
            continue
        if not isinstance(value, dict):
            print(f"line {number}: not an object", file=sys.stderr)
            failures += 1
            continue
        for validator, label in ((command, name), (whole, "top level")):
            errors = list(validator.iter_errors(value))
            if errors:
                failures += 1
                error = explain(errors[0])
                where = "/".join(str(part) for part in error.absolute_path) or "(object)"
                print(f"line {number}: {label}: {where}: {error.message[:300]}", file=sys.stderr)
    if count == 0:
        print("validate-json: no JSON lines on standard input", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
