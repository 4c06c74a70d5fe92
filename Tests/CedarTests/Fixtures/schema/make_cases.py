#!/usr/bin/env python3
"""Records the reference parser's verdict on each line of cases-schemas.txt (one schema a line).
Usage: python3 make_cases.py   (needs `pip install cedarpy`); writes cases-schemas.json."""
import json
import cedarpy

here = __file__.rsplit("/", 1)[0]
cases = []
for line in open(here + "/cases-schemas.txt"):
    text = line.rstrip("\n")
    if not text.strip():
        continue
    try:
        cedarpy.Schema.from_str(text); ok, msg = True, ""
    except Exception as e:
        ok, msg = False, str(e)
    cases.append({"schema": text, "accepted": ok, "reference": msg[:200]})
json.dump({"cases": cases}, open(here + "/cases-schemas.json", "w"), indent=1, sort_keys=True)
print(len(cases), "cases,", sum(c["accepted"] for c in cases), "accepted")
