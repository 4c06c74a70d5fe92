#!/usr/bin/env python3
"""Records whether the reference engine accepts random entity data read by schema/agents.cedarschema.
Usage: python3 make_cases.py SEED COUNT   (needs `pip install cedarpy`); writes agents-cases.json."""
import json, random, sys, copy
import cedarpy

rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
schema = open(__file__.rsplit("/", 1)[0] + "/../schema/agents.cedarschema").read()

def ref(t, i): return {"type": t, "id": i}
def good():
    return [
        {"uid": ref("Gov::Team", "t"), "attrs": {}, "parents": []},
        {"uid": ref("Gov::Agent", "a"), "attrs": {"owner": ref("Gov::Team", "t"), "spiffe": "spiffe://a", "labels": ["x"],
          "net": {"ip": "10.0.0.1", "trust level": 3}}, "parents": [ref("Gov::Team", "t")], "tags": {"tier": "gold"}},
        {"uid": ref("Gov::Repo", "r"), "attrs": {"environment": ref("Gov::Environment", "prod"), "sensitivity": 2,
          "created": "2024-01-01T00:00:00Z", "ttl": "1h30m", "budget": "12.5", "staging": ref("Gov::Repo", "s")}, "parents": [ref("Gov::Team", "t")]},
        {"uid": ref("Gov::Secret", "k"), "attrs": {"environment": {"__entity": ref("Gov::Environment", "dev")}, "sensitivity": 9,
          "created": {"__extn": {"fn": "datetime", "arg": "2024-02-03"}}, "ttl": "-2d", "budget": {"__extn": {"fn": "decimal", "arg": "0.0001"}}}, "parents": []},
        {"uid": ref("Gov::Action", "read"), "attrs": {}, "parents": [ref("Gov::Action", "access")]},
    ]

VALUES = [1, -1, 2**40, "x", "", "10.0.0.1", "1.5", "1h", "2024-01-01", "bogus", True, None, [], ["x"], [1], {}, {"a": 1},
          ref("Gov::Team", "t"), ref("Gov::Agent", "a"), ref("Gov::Environment", "qa"), {"__extn": {"fn": "ip", "arg": "1.1.1.1"}},
          {"__extn": {"fn": "decimal", "arg": "1.23456"}}, {"__entity": ref("Gov::Team", "t")}, {"type": "Gov::Team"}, 1.5]

def mutate(ents):
    e = rnd.choice(ents)
    e.setdefault("parents", [])
    if "attrs" not in e: return
    kind = rnd.randrange(8)
    if kind == 0 and e["attrs"]:
        k = rnd.choice(sorted(e["attrs"]))
        e["attrs"][k] = copy.deepcopy(rnd.choice(VALUES))
    elif kind == 1 and e["attrs"]:
        del e["attrs"][rnd.choice(sorted(e["attrs"]))]
    elif kind == 2:
        e["attrs"][rnd.choice(["extra", "spiffe", "net", "sensitivity"])] = copy.deepcopy(rnd.choice(VALUES))
    elif kind == 3:
        e["parents"].append(rnd.choice([ref("Gov::Team", "t"), ref("Gov::Agent", "a"), ref("Gov::Repo", "r"), ref("Gov::Action", "access")]))
    elif kind == 4:
        e["uid"] = rnd.choice([ref("Gov::Nope", "n"), ref("Gov::Environment", "qa"), ref("Gov::Environment", "dev"), ref("Gov::Action", "zzz"), ref("Action", "read")])
    elif kind == 5:
        e["tags"] = {"k": copy.deepcopy(rnd.choice(VALUES))}
    elif kind == 6 and "net" in e["attrs"] and isinstance(e["attrs"]["net"], dict):
        e["attrs"]["net"][rnd.choice(["ip", "trust level", "other"])] = copy.deepcopy(rnd.choice(VALUES))
    elif rnd.random() < 0.3:
        e.pop(rnd.choice(["attrs", "parents"]), None)

cases = []
for i in range(count):
    ents = good()
    for _ in range(rnd.randrange(0, 3)):
        mutate(ents)
    text = json.dumps(ents)
    try:
        cedarpy.Entities.from_json_str(text, schema)
        ok, msg = True, ""
    except Exception as ex:
        ok, msg = False, str(ex)[:200]
    cases.append({"entities": text, "accepted": ok, "reference": msg})
json.dump({"schema": "schema/agents.cedarschema", "cases": cases}, open(__file__.rsplit("/", 1)[0] + "/agents-cases.json", "w"), indent=1, sort_keys=True)
print(len(cases), "cases,", sum(c["accepted"] for c in cases), "accepted")
