#!/usr/bin/env python3
"""Records whether the reference engine accepts random requests (principal, action, resource and
context JSON) under schema/agents.cedarschema. Usage: python3 make_cases.py SEED COUNT
(needs `pip install cedarpy`); writes agents-cases.json."""
import json, random, sys
import cedarpy

rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
here = __file__.rsplit("/", 1)[0]
schema = open(here + "/../schema/agents.cedarschema").read()
TYPES = ["Gov::Agent", "Gov::Repo", "Gov::Secret", "Gov::Team", "Gov::Environment", "Gov::Nope"]
ACTIONS = ["deploy", "clone", "read", "access", "nope"]
VALUES = [1, "x", True, "10.0.0.1", "10.0.0.0/8", "bogus", [], ["a"], {"actions": ["a"], "external": False},
          {"actions": [1], "external": False}, {"actions": ["a"]}, {"type": "Gov::Team", "id": "t"},
          {"type": "Gov::Agent", "id": "a"}, {"__extn": {"fn": "ip", "arg": "1.2.3.4"}}]

def context(action):
    if action == "deploy":
        c = {"step": 1, "history": {"actions": ["clone"], "external": False}}
        if rnd.random() < 0.3: c["approvedBy"] = {"type": "Gov::Team", "id": "t"}
    elif action == "clone":
        c = {"ip": "10.0.0.1"}
        if rnd.random() < 0.3: c["trust level"] = 2
    else:
        c = {}
    for _ in range(rnd.randrange(0, 2)):
        op = rnd.randrange(3)
        if op == 0 and c: del c[rnd.choice(sorted(c))]
        elif op == 1 and c: c[rnd.choice(sorted(c))] = rnd.choice(VALUES)
        else: c[rnd.choice(["step", "ip", "extra", "history", "approvedBy", "trust level"])] = rnd.choice(VALUES)
    return c

cases = []
for _ in range(count):
    action = rnd.choice(ACTIONS)
    p = rnd.choice(TYPES[:3] if rnd.random() < 0.7 else TYPES)
    r = rnd.choice(TYPES[1:3] if rnd.random() < 0.7 else TYPES)
    if rnd.random() < 0.7:
        action = rnd.choice(["deploy", "clone"])
        p = "Gov::Agent"
        r = rnd.choice(["Gov::Repo", "Gov::Secret"]) if action == "deploy" else "Gov::Repo"
        if rnd.random() < 0.2: p, r = rnd.choice(TYPES), rnd.choice(TYPES)
    req = {"principal": f'{p}::"a"', "action": f'Gov::Action::"{action}"', "resource": f'{r}::"prod"', "context": context(action)}
    try:
        cedarpy.is_authorized(req, "permit(principal, action, resource);", "[]", schema=schema)
        res = cedarpy.is_authorized(req, "permit(principal, action, resource);", "[]", schema=schema)
        ok = res.decision == cedarpy.Decision.Allow
        msg = "" if ok else str(res.diagnostics.errors)
    except Exception as ex:
        ok, msg = False, str(ex)[:200]
    cases.append({"request": req, "accepted": ok, "reference": msg})
json.dump({"schema": "schema/agents.cedarschema", "cases": cases}, open(here + "/agents-cases.json", "w"), indent=1, sort_keys=True)
print(len(cases), "cases,", sum(c["accepted"] for c in cases), "accepted")
