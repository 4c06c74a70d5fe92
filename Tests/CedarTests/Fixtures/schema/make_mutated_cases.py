#!/usr/bin/env python3
"""Records the reference parser's verdict on token-level mutations of agents.cedarschema.
Usage: python3 make_mutated_cases.py SEED COUNT   (needs `pip install cedarpy`); writes mutated-schemas.json."""
import json, random, re, sys
import cedarpy

rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
here = __file__.rsplit("/", 1)[0]
source = open(here + "/agents.cedarschema").read()
tokens = re.findall(r'//[^\n]*|"(?:\\.|[^"\\])*"|[A-Za-z_][A-Za-z_0-9]*|::|\s+|.', source)
words = ["entity", "action", "type", "namespace", "in", "appliesTo", "principal", "resource", "context", "tags", "enum",
         "Set", "Long", "String", "Bool", "ipaddr", "Agent", "Team", "Nope", "__cedar", "true", "{", "}", "[", "]", "<", ">",
         ",", ";", ":", "::", "?", "=", "@", "(", ")", '"x"']
cases = []
seen = set()
while len(cases) < count:
    t = list(tokens)
    for _ in range(rnd.randrange(1, 3)):
        real = [i for i, x in enumerate(t) if x.strip() and not x.startswith("//")]
        i = rnd.choice(real)
        op = rnd.randrange(4)
        if op == 0: del t[i]
        elif op == 1: t[i] = rnd.choice(words)
        elif op == 2: t.insert(i, rnd.choice(words) + " ")
        else:
            j = rnd.choice(real)
            t[i], t[j] = t[j], t[i]
    text = "".join(t)
    if text in seen: continue
    seen.add(text)
    try:
        cedarpy.Schema.from_str(text); ok, msg = True, ""
    except Exception as ex:
        ok, msg = False, str(ex)[:200]
    cases.append({"schema": text, "accepted": ok, "reference": msg})
json.dump({"cases": cases}, open(here + "/mutated-schemas.json", "w"), indent=1, sort_keys=True)
print(len(cases), "cases,", sum(c["accepted"] for c in cases), "accepted")
