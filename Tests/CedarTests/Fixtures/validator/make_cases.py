#!/usr/bin/env python3
"""Records the reference validator's verdicts for the policies in *-policies.txt.

Usage: python3 make_cases.py   (needs `pip install cedarpy`)
Each line of NAME-policies.txt is one policy; the schema is named by the first line of
NAME-policies.schema. Writes NAME-cases.json: for every policy, whether it validates and the
reference messages (without the `for policy ...` prefix).
"""
import json, os, re, sys
import cedarpy

here = os.path.dirname(os.path.abspath(__file__))
for name in sorted(os.listdir(here)):
    if not name.endswith("-policies.txt"):
        continue
    stem = name[: -len("-policies.txt")]
    schema_rel = open(os.path.join(here, stem + "-policies.schema")).read().strip()
    schema_text = open(os.path.join(here, "..", schema_rel)).read()
    cases = []
    for line in open(os.path.join(here, name)):
        policy = line.strip()
        if not policy:
            continue
        result = cedarpy.validate_policies(policy, schema_text)
        messages = sorted(re.sub(r"^for policy `[^`]*`[,:] ", "", e.error) for e in result.errors)
        cases.append({"policy": policy, "passed": result.validation_passed, "errors": messages})
    out = {"schema": schema_rel, "cases": cases}
    with open(os.path.join(here, stem + "-cases.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(stem, len(cases), "cases,", sum(c["passed"] for c in cases), "validate")
