#!/usr/bin/env python3
"""Keeps schema/saveimg-output.schema.json's glossary and its keys' descriptions together.

usage: schema-glossary.py [--fill] [SCHEMA]

Every key of every command's line (a property of a `properties` object under
$defs) must carry a `description`; the meaning of a key name is the schema's
`x-glossary` entry for it (one meaning per name, for every command). Without
--fill: lists the keys that have no description and the names missing from
the glossary; exits 1 if there are any. With --fill: gives every key without
a description its glossary text, in place (the file's layout is kept: the
description is inserted after the key's opening brace); names the glossary
lacks are listed and left for a person to define.
"""
import json
import re
import sys

KEYWORDS = {"properties", "items", "additionalProperties", "$defs", "unevaluatedProperties", "not", "if", "then",
            "else", "prefixItems", "contains"}


def matching_brace(text, start):
    depth, index, in_string = 0, start, False
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 2
                continue
            if char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError("unbalanced braces")


def enclosing_key(text, position):
    """The key whose object holds `position` (skipping nested objects)."""
    depth, index = 0, position - 1
    while index >= 0:
        char = text[index]
        if char == "}":
            depth += 1
        elif char == "{":
            if depth == 0:
                break
            depth -= 1
        index -= 1
    match = re.search(r'"([A-Za-z0-9_$]+)":\s*$', text[:index])
    return match.group(1) if match else None


def main():
    arguments = [a for a in sys.argv[1:] if a != "--fill"]
    fill = "--fill" in sys.argv[1:]
    path = arguments[0] if arguments else "schema/saveimg-output.schema.json"
    text = open(path, encoding="utf-8").read()
    glossary = json.loads(text).get("x-glossary", {})
    pieces, position, undescribed, unknown = [], 0, [], set()
    for match in re.finditer(r'"([A-Za-z0-9_$]+)": \{', text):
        name = match.group(1)
        if name in KEYWORDS or enclosing_key(text, match.start()) != "properties":
            continue
        brace = match.end() - 1
        value = json.loads(text[brace:matching_brace(text, brace) + 1])
        if "description" in value:
            continue
        if name not in glossary:
            unknown.add(name)
        if not fill or name not in glossary:
            undescribed.append(name)
            continue
        insert = ' "description": ' + json.dumps(glossary[name], ensure_ascii=False) + ("," if value else " ")
        pieces += [text[position:brace + 1], insert]
        position = brace + 1
    pieces.append(text[position:])
    if fill:
        result = "".join(pieces)
        json.loads(result)
        open(path, "w", encoding="utf-8").write(result)
    for name in sorted(set(undescribed)):
        print(f"{path}: key '{name}' has no description" + ("" if name in glossary else " and no x-glossary entry"),
              file=sys.stderr)
    return 1 if undescribed else 0


if __name__ == "__main__":
    sys.exit(main())
