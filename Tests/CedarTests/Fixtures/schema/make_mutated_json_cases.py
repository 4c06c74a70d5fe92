#!/usr/bin/env python3
"""Records the reference parser's verdict on structural mutations of agents.cedarschema.json.
Usage: python3 make_mutated_json_cases.py SEED COUNT   (needs `pip install cedarpy`); writes mutated-json-schemas.json."""
import copy, json, random, sys
import cedarpy

rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
here = __file__.rsplit("/", 1)[0]
base = json.load(open(here + "/agents.cedarschema.json"))
VALUES = ["String", "Long", "Boolean", "Record", "Set", "Entity", "Extension", "EntityOrCommon", "Net", "Labels", "Team",
          "Gov::Team", "Nope", "ipaddr", "decimal", True, False, 1, None, [], {}, ["Agent"], {"type": "Long"},
          {"id": "access"}, {"id": "nope"}, "Action", "Gov::Action"]
KEYS = ["type", "name", "element", "attributes", "required", "annotations", "memberOfTypes", "shape", "tags", "enum",
        "memberOf", "appliesTo", "principalTypes", "resourceTypes", "context", "additionalAttributes", "bogus", "id"]

def nodes(v, out):
    if isinstance(v, dict):
        out.append(v)
        for x in v.values(): nodes(x, out)
    elif isinstance(v, list):
        out.append(v)
        for x in v: nodes(x, out)
    return out

cases, seen = [], set()
while len(cases) < count:
    d = copy.deepcopy(base)
    for _ in range(rnd.randrange(1, 3)):
        n = rnd.choice(nodes(d, []))
        if isinstance(n, dict) and n:
            k = rnd.choice(sorted(n))
            op = rnd.randrange(3)
            if op == 0: del n[k]
            elif op == 1: n[k] = copy.deepcopy(rnd.choice(VALUES))
            else: n[rnd.choice(KEYS)] = copy.deepcopy(rnd.choice(VALUES))
        elif isinstance(n, list) and n:
            i = rnd.randrange(len(n))
            if rnd.random() < 0.5: del n[i]
            else: n[i] = copy.deepcopy(rnd.choice(VALUES))
    text = json.dumps(d, sort_keys=True)
    if text in seen: continue
    seen.add(text)
    try:
        cedarpy.Schema.from_json_str(text); ok, msg = True, ""
    except Exception as ex:
        ok, msg = False, str(ex)[:200]
    cases.append({"schema": text, "accepted": ok, "reference": msg})
json.dump({"cases": cases}, open(here + "/mutated-json-schemas.json", "w"), indent=1, sort_keys=True)
print(len(cases), "cases,", sum(c["accepted"] for c in cases), "accepted")
