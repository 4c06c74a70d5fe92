#!/usr/bin/env python3
"""Writes random policies over one of the test schemas (profiles: agents, sandbox_b, multi), one a
line, only ones the reference parser accepts.
Usage: python3 make_random_policies.py SEED COUNT [agents|sandbox_b|multi] > randomN-policies.txt"""
import random, json, sys, re
import cedarpy
rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300

PROFILE = sys.argv[3] if len(sys.argv) > 3 else "agents"
ATTRS = ["owner","spiffe","net","labels","ip","trust level","environment","sensitivity","staging","created","ttl","budget","step","history","actions","external","approvedBy","nope","ownr"]
TYPES = ["Gov::Agent","Gov::Team","Gov::Repo","Gov::Secret","Gov::Environment","Gov::Nope"]
ACTIONS = ["deploy","clone","read","write","access","nope"]
VARS = ["principal","resource","context"]
if PROFILE == "sandbox_b":
    ATTRS = ["admins","owner","private","account","department","jobLevel","authenticated","photo","filesize_mb","filetype","nope"]
    TYPES = ["User","UserGroup","Album","Photo","Account","AccountGroup","Administrator","Nope"]
    ACTIONS = ["view","edit","comment","delete","addPhoto","listAlbums","listPhotos","nope"]
if PROFILE == "multi":
    ATTRS = ["name","org","info","level","tags","manager","email","owner","trusted","meta","created","size","flags","public","label","readers","bucket","kind","ip","mfa","when","nope"]
    TYPES = ["Org","Id::Group","Id::Person","Id::Service","Store::Bucket","Store::Object","Store::Kind","Nope","Id::Nope"]
    ACTIONS = ["read","list","write","readGroup","nope"]

def lit():
    c = rnd.randrange(9)
    if c == 0: return str(rnd.randrange(-3, 10))
    if c == 1: return rnd.choice(['"x"', '"spiffe://a"', '""', '"prod"'])
    if c == 2: return rnd.choice(["true","false"])
    if c == 3:
        t = rnd.choice(TYPES)
        i = rnd.choice(["prod","qa","a","dev","blob"])
        return f'{t}::"{i}"'
    if c == 4: return f'{ACT}::"{rnd.choice(ACTIONS)}"'
    if c == 5: return rnd.choice(['ip("10.0.0.1")','ip("::1")','ip("bogus")','decimal("1.5")','decimal("x")','datetime("2024-01-01")','duration("1h")','duration("2d3h")'])
    if c == 6: return "[" + ", ".join(lit() for _ in range(rnd.randrange(0,3))) + "]"
    if c == 7: return "{" + ", ".join(f'{rnd.choice(["a","b"])}: {lit()}' for _ in range(rnd.randrange(0,2))) + "}"
    return rnd.choice(VARS)

def access(depth):
    e = rnd.choice(VARS)
    for _ in range(rnd.randrange(1, 3)):
        a = rnd.choice(ATTRS)
        e = f'{e}["{a}"]' if " " in a or rnd.random() < 0.1 else f"{e}.{a}"
    return e

def expr(depth):
    if depth <= 0:
        return access(depth) if rnd.random() < 0.6 else lit()
    c = rnd.randrange(22)
    d = depth - 1
    if c == 0: return f"{expr(d)} && {expr(d)}"
    if c == 1: return f"{expr(d)} || {expr(d)}"
    if c == 2: return f"!({expr(d)})"
    if c == 3: return f"({expr(d)} == {expr(d)})"
    if c == 4: return f"({expr(d)} != {expr(d)})"
    if c == 5: return f"({expr(d)} {rnd.choice(['<','<=','>','>='])} {expr(d)})"
    if c == 6: return f"({expr(d)} {rnd.choice(['+','-','*'])} {expr(d)})"
    if c == 7: return f"({expr(d)} in {expr(d)})"
    if c == 8:
        a = rnd.choice(ATTRS)
        a = f'"{a}"' if " " in a else a
        return f"({expr(d)} has {a})"
    if c == 9:
        base = access(0)
        a = rnd.choice(ATTRS)
        tails = ['== 1', '> 0', '== "x"', '.isLoopback()', '.contains("x")', 'like "*"']
        t = rnd.choice(tails)
        if " " in a: return '(' + base + ' has "' + a + '" && ' + base + '["' + a + '"] ' + t + ')'
        sep = '' if t.startswith('.') else ' '
        return '(' + base + ' has ' + a + ' && ' + base + '.' + a + sep + t + ')'
    if c == 10: return f"({expr(d)} like \"{rnd.choice(['*', 'spiffe://*', 'x'])}\")"
    if c == 11: return f"({expr(d)} is {rnd.choice(TYPES)})"
    if c == 12: return f"{expr(d)}.{rnd.choice(['contains','containsAll','containsAny'])}({expr(d)})"
    if c == 13: return f"{expr(d)}.isEmpty()"
    if c == 14: return f"(if {expr(d)} then {expr(d)} else {expr(d)})"
    if c == 15: return f"{expr(d)}.{rnd.choice(['isIpv4','isLoopback','isMulticast','toDays','toTime','toDate','toSeconds'])}()"
    if c == 16: return f"{expr(d)}.{rnd.choice(['isInRange','lessThan','greaterThanOrEqual','offset','durationSince'])}({expr(d)})"
    if c == 17: return f"{rnd.choice(['principal','resource','principal.owner','principal.manager'])}.hasTag(\"{rnd.choice(['a','b'])}\")"
    if c == 18:
        t = rnd.choice(['a','b'])
        v = rnd.choice(['principal','resource'])
        return f'({v}.hasTag("{t}") && {v}.getTag("{t}") == "x")' if rnd.random() < 0.7 else f'{v}.getTag("{t}") == "x"'
    if c == 19: return f"-{expr(d)}"
    if c == 20: return f"({expr(d)} is {rnd.choice(TYPES)} in {expr(d)})"
    return "[" + ", ".join(expr(d) for _ in range(rnd.randrange(1, 3))) + "]"

ACT = {"agents": "Gov::Action", "sandbox_b": "Action", "multi": "Store::Action"}[PROFILE]
def scope():
    if PROFILE == "multi":
        p = rnd.choice(["principal", "principal", 'principal == Id::Person::"a"', 'principal in Id::Group::"g"', 'principal in Org::"o"', 'principal is Id::Service', 'principal is Id::Person in Org::"o"', 'principal == Store::Bucket::"b"'])
        a = rnd.choice(["action", 'action == Store::Action::"read"', 'action == Store::Action::"write"', 'action in Store::Action::"readGroup"', 'action in Id::Action::"auth"', 'action in [Store::Action::"read", Store::Action::"write"]', 'action == Store::Action::"nope"'])
        r = rnd.choice(["resource", "resource", 'resource is Store::Object', 'resource in Store::Bucket::"b"', 'resource in Org::"o"', 'resource == Store::Object::"x"', 'resource is Store::Bucket in Org::"o"'])
        return p, a, r
    if PROFILE == "sandbox_b":
        p = rnd.choice(["principal", "principal", 'principal == User::"a"', 'principal in UserGroup::"g"', 'principal is User', 'principal is Album', 'principal == Photo::"p"'])
        a = rnd.choice(["action", 'action == Action::"view"', 'action == Action::"addPhoto"', 'action in [Action::"view", Action::"edit"]', 'action == Action::"nope"'])
        r = rnd.choice(["resource", "resource", 'resource is Photo', 'resource in Album::"a"', 'resource in Account::"x"', 'resource == Photo::"s"', 'resource is Album in Account::"t"', 'resource is Photo in Album::"a"'])
        return p, a, r
    p = rnd.choice(["principal", "principal", f'principal == Gov::Agent::"a"', 'principal in Gov::Team::"t"', 'principal is Gov::Agent', 'principal is Gov::Team', f'principal == Gov::Repo::"r"'])
    a = rnd.choice(["action", 'action == Gov::Action::"deploy"', 'action == Gov::Action::"clone"', 'action in Gov::Action::"access"', 'action in [Gov::Action::"deploy", Gov::Action::"clone"]', 'action == Gov::Action::"nope"'])
    r = rnd.choice(["resource", "resource", 'resource is Gov::Repo', 'resource in Gov::Team::"t"', 'resource == Gov::Secret::"s"', 'resource is Gov::Secret in Gov::Team::"t"'])
    return p, a, r

out = []
tries = 0
while len(out) < N and tries < N * 20:
    tries += 1
    p, a, r = scope()
    conds = []
    for _ in range(rnd.randrange(0, 3)):
        conds.append(f'{rnd.choice(["when","unless"])} {{ {expr(rnd.randrange(1, 4))} }}')
    pol = f'{rnd.choice(["permit","forbid"])}({p}, {a}, {r}) {" ".join(conds)};'
    try:
        cedarpy.format_policies(pol)
    except Exception:
        continue
    out.append(pol)
print("\n".join(out))
