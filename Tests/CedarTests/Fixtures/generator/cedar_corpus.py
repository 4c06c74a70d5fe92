#!/usr/bin/env python3
"""Differential Cedar corpus: random policy sets, entities and requests, with the
decisions, reasons and erroring policies that the reference engine (cedarpy, the
Rust cedar-policy crate) gives. Usage:
  cedar_corpus.py --seed N --sets K --requests R --out DIR [--profile PROFILE]
Profiles:
  agent    agent-governance policies, schema-less (the original corpus)
  extn     extension values written as `__extn` calls with several arguments
           (datetime `offset`, `durationSince`, methods) in attributes, tags and
           context; half the sets with a schema, whose typed arguments may be strings
  actions  schemas with action hierarchies several levels deep, and entity data
           listing action entities with their direct groups, every ancestor, or a
           wrong set (which the reference rejects)
  unicode  ids, strings, record keys and `like` patterns made of combining marks,
           canonically equivalent pairs (NFC/NFD) and ZWJ sequences
  tags     entity tags (`hasTag` / `getTag`) with and without a schema declaring
           their type, tags the schema forbids or mistypes, and requests the schema
           accepts or refuses (principal and resource types, context)
Writes DIR/case-XXXX.json, one policy set per file, plus DIR/format-XXXX.json
(formatter input/output) and DIR/reject-XXXX.json (text the parser must reject).
A case with a schema also has "schema" (Cedar schema text), "validation" (the
reference validator's verdict on the policies) and, when the reference refuses the
entity data, "entitiesRejected": true and no requests. A request the reference
refuses against the schema has decision "error"."""
import argparse, json, os, random, re
import cedarpy

ENV = ["prod", "staging", "dev"]
TAGS = ["pii", "finance", "infra", "public", "ml"]
LIKE = ["*", "app*", "*prod*", "CHG-*", "secrets/*", "git.*", "a\\\\*b", "", "*-*"]
TOOLS = ["git.clone", "git.push", "k8s.apply", "vault.read", "s3.export", "shell.exec"]

class Gen:
    def __init__(self, rng, profile):
        self.r = rng
        self.profile = profile

    # ---------- entities ----------
    def entities(self):
        r = self.r
        ents = []
        groups = [f'G{i}' for i in range(3)]
        for i, g in enumerate(groups):
            parents = [{"type": "Group", "id": groups[j]} for j in range(i) if r.random() < 0.4]
            ents.append({"uid": {"type": "Group", "id": g}, "attrs": {}, "parents": parents})
        agents = [f'a{i}' for i in range(4)]
        for a in agents:
            attrs = {}
            if r.random() < 0.9: attrs["level"] = r.randint(0, 5)
            if r.random() < 0.8: attrs["owner"] = r.choice(["sec", "platform", "data"])
            if r.random() < 0.8: attrs["tags"] = r.sample(TAGS, r.randint(0, 3))
            if r.random() < 0.7: attrs["trusted"] = r.random() < 0.5
            if r.random() < 0.5: attrs["home"] = {"__extn": {"fn": "ip", "arg": r.choice(["10.0.0.0/8", "192.168.1.0/24", "10.1.2.3"])}}
            if r.random() < 0.5: attrs["profile"] = {"team": r.choice(["sec", "ml"]), "tier": r.randint(1, 3)}
            parents = [{"type": "Group", "id": g} for g in groups if r.random() < 0.4]
            ents.append({"uid": {"type": "Agent", "id": a}, "attrs": attrs, "parents": parents})
        folders = ["f0", "f1"]
        ents.append({"uid": {"type": "Folder", "id": "f0"}, "attrs": {"env": "prod"}, "parents": []})
        ents.append({"uid": {"type": "Folder", "id": "f1"}, "attrs": {"env": "dev"}, "parents": [{"type": "Folder", "id": "f0"}] if r.random() < 0.5 else []})
        for i in range(4):
            attrs = {}
            if r.random() < 0.9: attrs["env"] = r.choice(ENV)
            if r.random() < 0.8: attrs["sensitivity"] = r.randint(0, 3)
            if r.random() < 0.7: attrs["labels"] = r.sample(TAGS, r.randint(0, 2))
            if r.random() < 0.6: attrs["owner"] = {"__entity": {"type": "Agent", "id": r.choice(agents)}}
            if r.random() < 0.4: attrs["limit"] = {"__extn": {"fn": "decimal", "arg": r.choice(["1.5", "10.0", "0.25"])}}
            if r.random() < 0.5: attrs["name"] = r.choice(["app", "app-prod", "db-main", "secrets/x"])
            parents = [{"type": "Folder", "id": f} for f in folders if r.random() < 0.5]
            ents.append({"uid": {"type": "Resource", "id": f"r{i}"}, "attrs": attrs, "parents": parents})
        acts = ["read", "write", "delete", "export", "deploy"]
        for a in acts:
            parents = []
            if a in ("write", "delete", "deploy"): parents.append({"type": "Action", "id": "mutating"})
            if a in ("read", "export"): parents.append({"type": "Action", "id": "reading"})
            ents.append({"uid": {"type": "Action", "id": a}, "attrs": {}, "parents": parents})
        ents.append({"uid": {"type": "Action", "id": "mutating"}, "attrs": {}, "parents": []})
        ents.append({"uid": {"type": "Action", "id": "reading"}, "attrs": {}, "parents": []})
        self.agents, self.groups, self.folders, self.acts = agents, groups, folders, acts
        return ents

    def context(self):
        r = self.r
        c = {}
        if r.random() < 0.9: c["approved"] = r.random() < 0.5
        if r.random() < 0.9: c["hour"] = r.randint(0, 23)
        if r.random() < 0.8: c["ticket"] = r.choice(["CHG-1", "CHG-22", "", "INC-7"])
        if r.random() < 0.7: c["tool"] = r.choice(TOOLS)
        if r.random() < 0.6: c["src"] = {"__extn": {"fn": "ip", "arg": r.choice(["10.1.2.3", "192.168.1.7", "8.8.8.8"])}}
        if r.random() < 0.6: c["risk"] = {"__extn": {"fn": "decimal", "arg": r.choice(["0.1", "0.75", "2.5"])}}
        if r.random() < 0.7: c["history"] = {"writes": r.randint(0, 4), "touched": r.sample(TAGS, r.randint(0, 2))}
        return c

    # ---------- expressions ----------
    def lit_str(self):
        return json.dumps(self.r.choice(ENV + TAGS + ["sec", "platform", "CHG-1", "", "app*", "*prod*", "secrets/*", "a*b"]))

    def ent_ref(self):
        r = self.r
        k = r.random()
        if k < 0.35: return f'Agent::"{r.choice(self.agents)}"'
        if k < 0.6: return f'Group::"{r.choice(self.groups)}"'
        if k < 0.8: return f'Resource::"r{r.randint(0,3)}"'
        return f'Folder::"{r.choice(self.folders)}"'

    def long_e(self, d):
        r = self.r
        opts = [lambda: str(r.randint(-3, 6)),
                lambda: r.choice(["principal.level", "resource.sensitivity", "context.hour", "context.history.writes", "principal.profile.tier"])]
        if d > 0:
            opts += [lambda: f'({self.long_e(d-1)} {r.choice(["+","-","*"])} {self.long_e(d-1)})',
                     lambda: f'-{self.long_e(d-1)}',
                     lambda: f'(if {self.bool_e(d-1)} then {self.long_e(d-1)} else {self.long_e(d-1)})']
        return r.choice(opts)()

    def str_e(self, d):
        r = self.r
        opts = [self.lit_str, lambda: r.choice(["resource.env", "principal.owner", "context.ticket", "context.tool", "resource.name", "principal.profile.team"])]
        return r.choice(opts)()

    def set_e(self, d):
        r = self.r
        opts = [lambda: r.choice(["principal.tags", "resource.labels", "context.history.touched"]),
                lambda: "[" + ", ".join(self.lit_str() for _ in range(r.randint(0, 3))) + "]"]
        return r.choice(opts)()

    def any_e(self, d):
        r = self.r
        return r.choice([self.long_e, self.str_e, self.set_e, self.bool_e])(max(d - 1, 0))

    def bool_e(self, d):
        r = self.r
        base = [lambda: r.choice(["true", "false", "context.approved", "principal.trusted"]),
                lambda: f'{self.long_e(0)} {r.choice(["<","<=",">",">=","==","!="])} {self.long_e(0)}',
                lambda: f'{self.str_e(0)} {r.choice(["==","!="])} {self.str_e(0)}',
                lambda: f'{r.choice(["principal","resource","context"])} has {r.choice(["level","env","owner","trusted","tags","labels","approved","history","sensitivity","limit","home","src","risk"])}',
                lambda: r.choice(["principal.owner","resource.name","context.ticket","context.tool"]) + ' like "' + r.choice(LIKE) + '"',
                lambda: f'{self.set_e(0)}.contains({self.lit_str()})',
                lambda: f'{self.set_e(0)}.{r.choice(["containsAll","containsAny"])}({self.set_e(0)})',
                lambda: f'{r.choice(["principal","resource","resource.owner"])} in {self.ent_ref()}',
                lambda: f'principal in [{self.ent_ref()}, {self.ent_ref()}]',
                lambda: f'{r.choice(["principal","resource","resource.owner"])} is {r.choice(["Agent","Resource","Group"])}',
                lambda: f'resource.owner == principal',
                lambda: f'principal.home.{r.choice(["isIpv4","isIpv6","isLoopback","isMulticast"])}()',
                lambda: f'context.src.isInRange(ip("{r.choice(["10.0.0.0/8","192.168.0.0/16","0.0.0.0/0"])}"))',
                lambda: f'context.risk.{r.choice(["lessThan","lessThanOrEqual","greaterThan","greaterThanOrEqual"])}(decimal("{r.choice(["0.5","1.0","2.5"])}"))',
                lambda: f'resource.limit.greaterThan(context.risk)',
                lambda: f'{self.any_e(0)} == {self.any_e(0)}',
                lambda: f'{{team: "sec", tier: {r.randint(1,3)}}} == principal.profile',
                lambda: f'action in Action::"{r.choice(["mutating","reading"])}"',
                ]
        if d > 0:
            base += [lambda: f'({self.bool_e(d-1)} && {self.bool_e(d-1)})',
                     lambda: f'({self.bool_e(d-1)} || {self.bool_e(d-1)})',
                     lambda: f'!{self.bool_e(d-1)}',
                     lambda: f'(if {self.bool_e(d-1)} then {self.bool_e(d-1)} else {self.bool_e(d-1)})',
                     lambda: f'({r.choice(["principal","resource","context"])} has {r.choice(["level","env","approved","sensitivity"])} && {self.bool_e(d-1)})']
        return r.choice(base)()

    # ---------- policies ----------
    def scope(self):
        r = self.r
        p = r.choice(["principal", "principal", f'principal == Agent::"{r.choice(self.agents)}"',
                      f'principal in Group::"{r.choice(self.groups)}"', 'principal is Agent',
                      f'principal is Agent in Group::"{r.choice(self.groups)}"'])
        a = r.choice(["action", "action", f'action == Action::"{r.choice(self.acts)}"',
                      f'action in [Action::"{r.choice(self.acts)}", Action::"{r.choice(self.acts)}"]',
                      f'action in Action::"{r.choice(["mutating","reading"])}"'])
        res = r.choice(["resource", "resource", f'resource == Resource::"r{r.randint(0,3)}"',
                        f'resource in Folder::"{r.choice(self.folders)}"', 'resource is Resource',
                        f'resource is Resource in Folder::"{r.choice(self.folders)}"'])
        return p, a, res

    def policy(self, i):
        r = self.r
        eff = "permit" if r.random() < 0.65 else "forbid"
        p, a, res = self.scope()
        anns = ""
        if r.random() < 0.4: anns += f'@id("p-{i}")\n'
        if r.random() < 0.3: anns += f'@owner("{r.choice(["sec","platform"])}")\n'
        conds = ""
        for _ in range(r.choices([0, 1, 2], [0.25, 0.6, 0.15])[0]):
            conds += f'\n{r.choice(["when","unless"])} {{ {self.bool_e(r.randint(0, 2))} }}'
        return f'{anns}{eff}({p}, {a}, {res}){conds};'

    def request(self):
        r = self.r
        return {"principal": f'Agent::"{r.choice(self.agents)}"',
                "action": f'Action::"{r.choice(self.acts)}"',
                "resource": f'Resource::"r{r.randint(0,3)}"',
                "context": self.context()}


# ---------- extension calls with several arguments ----------

def X(fn, *args):
    """An `__extn` escape: one argument as "arg", otherwise "args"."""
    if len(args) == 1 and not isinstance(args[0], list):
        return {"__extn": {"fn": fn, "arg": args[0]}}
    return {"__extn": {"fn": fn, "args": list(args)}}

def XS(fn, *args):
    """Always the "args" list form."""
    return {"__extn": {"fn": fn, "args": list(args)}}

DATES = ["2024-01-01", "2024-02-29T12:00:00Z", "2023-12-31T23:59:59.999Z", "2024-06-15T08:30:00+0200", "1970-01-01"]
DURS = ["1h", "30m", "1d2h", "-2h", "90s", "0ms", "1d"]
DECS = ["1.5", "0.25", "10.0", "-3.1415"]
IPS = ["10.0.0.1", "192.168.1.7", "::1", "10.0.0.0/8"]

class ExtnGen:
    def __init__(self, rng, typed):
        self.r = rng
        self.typed = typed  # schema present: arguments may be plain strings

    def dt(self, depth=0):
        r = self.r
        k = r.random()
        if self.typed and k < 0.15:
            return r.choice(DATES)  # implied constructor
        if k < 0.35 or depth > 1:
            return X("datetime", r.choice(DATES)) if r.random() < 0.6 else XS("datetime", r.choice(DATES))
        if k < 0.85:
            return XS("offset", self.dt(depth + 1), self.du(depth + 1))
        return X("toDate", self.dt(depth + 1))

    def du(self, depth=0):
        r = self.r
        k = r.random()
        if self.typed and k < 0.15:
            return r.choice(DURS)
        if k < 0.7 or depth > 1:
            return X("duration", r.choice(DURS)) if r.random() < 0.6 else XS("duration", r.choice(DURS))
        if k < 0.85:
            return X("toTime", self.dt(depth + 1))
        return XS("durationSince", self.dt(depth + 1), self.dt(depth + 1))

    def boolean(self):
        r = self.r
        return r.choice([
            lambda: XS("lessThan", X("decimal", r.choice(DECS)), X("decimal", r.choice(DECS))),
            lambda: XS("isInRange", X("ip", r.choice(IPS)), X("ip", "10.0.0.0/8")),
            lambda: X("isIpv6", X("ip", r.choice(IPS))),
            lambda: r.random() < 0.5,
        ])()

    def long(self):
        # A long is read without the schema's help, so its arguments are escapes; a plain
        # string there is an error in the reference too, kept rare.
        r = self.r
        typed, self.typed = self.typed, self.typed and r.random() < 0.1
        v = X(r.choice(["toHours", "toMinutes", "toDays"]), self.du()) if r.random() < 0.6 else r.randint(-5, 50)
        self.typed = typed
        return v

    def attrs(self):
        a = {"t": self.dt(), "d": self.du(), "b": self.boolean(), "n": self.long(),
             "ts": [self.dt() for _ in range(self.r.randint(0, 3))], "rec": {"at": self.dt()}}
        return {k: v for k, v in a.items() if self.r.random() < 0.85}

    def entities(self):
        r = self.r
        ents = []
        for i in range(3):
            tags = {k: self.dt() for k in r.sample(["start", "end", "seen"], r.randint(0, 3))}
            ents.append({"uid": {"type": "Agent", "id": f"a{i}"}, "attrs": self.attrs(), "parents": [], "tags": tags})
        for i in range(2):
            ents.append({"uid": {"type": "Res", "id": f"r{i}"}, "attrs": self.attrs(), "parents": [], "tags": {}})
        return ents

    def context(self):
        c = {"now": self.dt(), "window": self.du(), "ok": self.boolean(), "k": self.long()}
        return {k: v for k, v in c.items() if self.r.random() < 0.85}

    def dt_e(self):
        r = self.r
        return r.choice([
            lambda: f'datetime("{r.choice(DATES)}")', lambda: "principal.t", lambda: "resource.t", lambda: "context.now",
            lambda: "principal.rec.at", lambda: f'{self.dt_e()}.offset(duration("{r.choice(DURS)}"))',
            lambda: f'principal.getTag("{r.choice(["start", "end", "seen"])}")', lambda: "context.now.toDate()"])()

    def du_e(self):
        r = self.r
        return r.choice([lambda: f'duration("{r.choice(DURS)}")', lambda: "principal.d", lambda: "context.window",
                         lambda: f'{self.dt_e()}.durationSince({self.dt_e()})', lambda: f'{self.dt_e()}.toTime()'])()

    def cond(self, d=1):
        r = self.r
        opts = [lambda: f'{self.dt_e()} {r.choice(["<", "<=", ">", ">=", "==", "!="])} {self.dt_e()}',
                lambda: f'{self.du_e()} {r.choice(["<", ">=", "=="])} {self.du_e()}',
                lambda: f'{self.du_e()}.{r.choice(["toHours", "toMinutes", "toDays", "toMilliseconds"])}() > {r.randint(-2, 30)}',
                lambda: r.choice(["principal.b", "resource.b", "context.ok"]),
                lambda: f'{r.choice(["principal", "resource"])}.n + context.k > {r.randint(0, 20)}',
                lambda: f'principal.hasTag("{r.choice(["start", "end", "seen"])}")',
                lambda: f'principal.ts.contains({self.dt_e()})',
                lambda: f'{r.choice(["principal", "resource", "context"])} has {r.choice(["t", "d", "b", "n", "now", "ok"])}']
        if d > 0:
            opts += [lambda: f'({self.cond(d - 1)} && {self.cond(d - 1)})', lambda: f'({self.cond(d - 1)} || !{self.cond(d - 1)})']
        return r.choice(opts)()

    def policies(self):
        r = self.r
        out = []
        for i in range(r.randint(1, 6)):
            eff = "permit" if r.random() < 0.7 else "forbid"
            conds = "".join(f' {r.choice(["when", "unless"])} {{ {self.cond(r.randint(0, 2))} }}' for _ in range(r.randint(1, 2)))
            out.append(f'{eff}(principal, action, resource){conds};')
        return "\n".join(out)

    def requests(self, n):
        r = self.r
        return [{"principal": f'Agent::"a{r.randint(0, 2)}"', "action": 'Action::"use"', "resource": f'Res::"r{r.randint(0, 1)}"',
                 "context": self.context()} for _ in range(n)]

EXTN_SCHEMA = """entity Agent { t?: datetime, d?: duration, b?: Bool, n?: Long, ts?: Set<datetime>, rec?: { at: datetime } } tags datetime;
entity Res { t?: datetime, d?: duration, b?: Bool, n?: Long, ts?: Set<datetime>, rec?: { at: datetime } };
action use appliesTo { principal: Agent, resource: Res, context: { now?: datetime, window?: duration, ok?: Bool, k?: Long } };
"""

# ---------- deep action hierarchies ----------

class ActionGen:
    def __init__(self, rng):
        self.r = rng

    def hierarchy(self):
        """Levels of action groups, each action in one or two groups of the level above."""
        r = self.r
        levels = [[f"g{d}_{i}" for i in range(r.randint(1, 3))] for d in range(r.randint(2, 4))]
        levels.append([f"act{i}" for i in range(r.randint(2, 4))])
        parents = {a: [] for lvl in levels for a in lvl}
        for d in range(1, len(levels)):
            for a in levels[d]:
                parents[a] = sorted(set(r.sample(levels[d - 1], r.randint(1, min(2, len(levels[d - 1]))))))
        return levels, parents

    @staticmethod
    def ancestors(parents, a):
        out, stack = set(), list(parents[a])
        while stack:
            p = stack.pop()
            if p not in out:
                out.add(p)
                stack.extend(parents[p])
        return out

    def case(self):
        r = self.r
        levels, parents = self.hierarchy()
        leaves = levels[-1]
        lines = ["entity Team;", "entity Agent in [Team];", "entity Repo;"]
        for lvl in levels:
            for a in lvl:
                inn = f' in [{", ".join(chr(34) + p + chr(34) for p in parents[a])}]' if parents[a] else ""
                applies = ' appliesTo { principal: [Agent], resource: [Repo], context: { urgent?: Bool } }' if a in leaves else ""
                lines.append(f'action "{a}"{inn}{applies};')
        schema = "\n".join(lines) + "\n"
        # entity data: some actions listed with direct groups, every ancestor, or a wrong set
        mode = r.choice(["direct", "transitive", "mixed", "mixed", "wrong"])
        listed = [a for a in parents if r.random() < 0.7]
        acts = []
        for a in listed:
            anc = sorted(self.ancestors(parents, a))
            m = r.choice(["direct", "transitive"]) if mode == "mixed" else mode
            if m == "wrong":
                m = r.choice(["grand-only", "none", "extra", "direct"])
            if m == "direct":
                ps = parents[a]
            elif m == "transitive":
                ps = anc
            elif m == "grand-only":
                ps = [p for p in anc if p not in parents[a]] or []
            elif m == "none":
                ps = []
            else:
                others = [x for x in parents if x != a and x not in anc and a not in self.ancestors(parents, x)]
                ps = parents[a] + ([r.choice(others)] if others else [])
            acts.append({"uid": {"type": "Action", "id": a}, "attrs": {}, "parents": [{"type": "Action", "id": p} for p in ps]})
        ents = [{"uid": {"type": "Team", "id": "t"}, "attrs": {}, "parents": []},
                {"uid": {"type": "Agent", "id": "ci"}, "attrs": {}, "parents": [{"type": "Team", "id": "t"}]},
                {"uid": {"type": "Agent", "id": "bot"}, "attrs": {}, "parents": []},
                {"uid": {"type": "Repo", "id": "api"}, "attrs": {}, "parents": []}] + acts
        r.shuffle(ents)
        groups = [a for lvl in levels[:-1] for a in lvl]
        pols = []
        for i in range(r.randint(1, 6)):
            eff = "permit" if r.random() < 0.7 else "forbid"
            k = r.random()
            if k < 0.5:
                act = f'action in Action::"{r.choice(groups)}"'
            elif k < 0.7:
                act = f'action == Action::"{r.choice(leaves)}"'
            elif k < 0.85:
                act = f'action in [Action::"{r.choice(groups)}", Action::"{r.choice(groups + leaves)}"]'
            else:
                act = "action"
            prin = r.choice(["principal", 'principal in Team::"t"', 'principal == Agent::"bot"'])
            cond = r.choice(["", " when { context has urgent && context.urgent }",
                             f' when {{ action in Action::"{r.choice(groups)}" }}', " unless { principal in Team::\"t\" }"])
            pols.append(f'{eff}({prin}, {act}, resource){cond};')
        reqs = [{"principal": f'Agent::"{r.choice(["ci", "bot"])}"', "action": f'Action::"{r.choice(leaves)}"',
                 "resource": 'Repo::"api"', "context": r.choice([{}, {"urgent": True}, {"urgent": False}])}
                for _ in range(8)]
        return schema, ents, "\n".join(pols), reqs

# ---------- combining marks and canonically equivalent strings ----------

UNI = ["e\u0301", "\u00e9", "\u0301", "a\u0301", "\u00e1", "A\u030a", "\u00c5", "\u212b", "\u094a", "\u0915\u094a",
       "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\U0001F468", "\u200d", "x", "o\u0308\u0304", "\u022b", "\u1e69", "s\u0323\u0307"]

class UnicodeGen:
    def __init__(self, rng):
        self.r = rng

    def word(self):
        r = self.r
        return "".join(r.choice(UNI) for _ in range(r.randint(1, 3)))

    def lit(self, s):
        """A Cedar string literal: the characters as written, or non-ASCII ones as `\\u{...}`."""
        if self.r.random() < 0.7:
            return '"' + s + '"'
        return '"' + "".join(c if ord(c) < 0x80 else "\\u{%x}" % ord(c) for c in s) + '"'

    def pattern(self):
        r = self.r
        parts = []
        for _ in range(r.randint(1, 3)):
            parts.append(r.choice(["*", r.choice(UNI), r.choice(UNI) + "*"]))
        return "".join(parts)

    def case(self):
        r = self.r
        self.ids = sorted(set(self.word() for _ in range(5)) | {r.choice(["e\u0301", "\u00e9"])})
        self.keys = sorted(set(self.word() for _ in range(4)))
        ents = []
        self.groups = sorted(set(self.word() for _ in range(2)))
        for g in self.groups:
            ents.append({"uid": {"type": "Group", "id": g}, "attrs": {}, "parents": []})
        for i in self.ids:
            attrs = {k: r.choice([self.word(), r.randint(0, 3)]) for k in self.keys if r.random() < 0.5}
            attrs["name"] = r.choice(self.ids + [self.word()])
            tags = {k: self.word() for k in self.keys if r.random() < 0.3}
            ents.append({"uid": {"type": "User", "id": i}, "attrs": attrs, "tags": tags,
                         "parents": [{"type": "Group", "id": g} for g in self.groups if r.random() < 0.5]})
        pols = []
        for n in range(r.randint(1, 6)):
            eff = "permit" if r.random() < 0.65 else "forbid"
            scope = r.choice(["principal", f"principal == User::{self.lit(r.choice(self.ids + [self.word()]))}",
                              f"principal in Group::{self.lit(r.choice(self.groups + [self.word()]))}"])
            conds = "".join(f' {r.choice(["when", "unless"])} {{ {self.cond()} }}' for _ in range(r.randint(0, 2)))
            pols.append(f"{eff}({scope}, action, resource){conds};")
        reqs = [{"principal": 'User::"' + r.choice(self.ids) + '"', "action": 'Action::"a"', "resource": 'Res::"r"',
                 "context": {k: r.choice([self.word(), r.randint(0, 2)]) for k in self.keys + [self.word()] if r.random() < 0.5}}
                for _ in range(8)]
        return ents, "\n".join(pols), reqs

    def cond(self):
        r = self.r
        k, w = r.choice(self.keys + [self.word()]), self.word()
        return r.choice([
            f"principal.name == {self.lit(r.choice(self.ids + [w]))}",
            f"principal.name like {self.lit(self.pattern())}",
            f"principal has {self.lit(k)}",
            f"context has {self.lit(k)}",
            f"(context has {self.lit(k)} && context[{self.lit(k)}] == {self.lit(w)})",
            f"principal.hasTag({self.lit(k)})",
            f"[{', '.join(self.lit(self.word()) for _ in range(3))}].contains(principal.name)",
            f"{{{self.lit(w)}: 1, {self.lit(self.word())}: 2}} has {self.lit(self.word())}",
            f"{self.lit(w)} == {self.lit(self.word())}",
            f"{self.lit(w)} like {self.lit(self.pattern())}",
            f"User::{self.lit(r.choice(self.ids))} == principal",
            f"principal in [Group::{self.lit(r.choice(self.groups))}, User::{self.lit(self.word())}]",
        ])

# ---------- entity tags and request validation ----------

TAGS_SCHEMA = """entity Team enum ["a", "b"];
entity User in [Team] { level: Long } tags String;
entity Doc { owner: User } tags Set<Long>;
entity Plain;
action read appliesTo { principal: [User], resource: [Doc, Plain], context: { n: Long, ip?: ipaddr } };
action write appliesTo { principal: [User], resource: [Doc] };
"""

class TagGen:
    KEYS = ["x", "y", "team", "a b", ""]

    def __init__(self, rng, typed):
        self.r = rng
        self.typed = typed

    def tags(self, kind):
        r = self.r
        out = {}
        for k in r.sample(self.KEYS, r.randint(0, 3)):
            good = r.choice(["sec", "ml", ""]) if kind == "User" else [r.randint(0, 3) for _ in range(r.randint(0, 2))]
            out[k] = good if not self.typed or r.random() < 0.93 else r.choice([1, "1", [True], {"a": 1}])
        return out

    def entities(self):
        r = self.r
        ents = []
        for i in range(3):
            e = {"uid": {"type": "User", "id": f"u{i}"}, "attrs": {"level": r.randint(0, 5)},
                 "parents": [{"type": "Team", "id": r.choice(["a", "b"] if r.random() < 0.95 else ["c"])}] if r.random() < 0.5 else []}
            if r.random() < 0.8: e["tags"] = self.tags("User")
            ents.append(e)
        for i in range(2):
            e = {"uid": {"type": "Doc", "id": f"d{i}"}, "attrs": {"owner": {"__entity": {"type": "User", "id": f"u{r.randint(0, 2)}"}}}, "parents": []}
            if r.random() < 0.8: e["tags"] = self.tags("Doc")
            ents.append(e)
        ents.append({"uid": {"type": "Plain", "id": "p"}, "attrs": {}, "parents": [],
                     "tags": {} if r.random() < 0.95 or not self.typed else {"x": "y"}})
        return ents

    def cond(self):
        r = self.r
        k = json.dumps(r.choice(self.KEYS))
        who = r.choice(["principal", "resource", 'User::"u0"', 'Doc::"d1"', 'User::"nobody"'])
        v = r.choice(['"sec"', "[1]", "[]", '""'])
        return r.choice([
            f"{who}.hasTag({k})",
            f"{who}.hasTag({k}) && {who}.getTag({k}) == {v}",
            f"{who}.getTag({k}) == \"ml\"",
            f"principal.hasTag({k}) && resource.hasTag({k}) && resource.getTag({k}).contains({r.randint(0, 3)})",
            f"resource is Doc && resource.hasTag({k}) && resource.getTag({k}).containsAny([1, 2])",
            f"principal.getTag({k}) like \"s*\"",
            "context.n > 2",
            "context has ip && context.ip.isLoopback()",
        ])

    def policies(self):
        r = self.r
        return "\n".join(f'{"permit" if r.random() < 0.7 else "forbid"}(principal, action, resource) when {{ {self.cond()} }};'
                         for _ in range(r.randint(1, 5)))

    def requests(self, n):
        r = self.r
        out = []
        for _ in range(n):
            c = {"n": r.randint(0, 5)}
            if r.random() < 0.3: c["ip"] = r.choice(["127.0.0.1", "10.0.0.1", "bogus"]) if self.typed else {"__extn": {"fn": "ip", "arg": "127.0.0.1"}}
            if r.random() < 0.1: c = r.choice([{}, {"n": "1"}, {"n": 1, "extra": True}])
            out.append({"principal": r.choice(['User::"u0"', 'User::"u1"', 'User::"u2"', 'Doc::"d0"', 'Team::"c"']),
                        "action": r.choice(['Action::"read"', 'Action::"write"', 'Action::"read"', 'Action::"nope"']),
                        "resource": r.choice(['Doc::"d0"', 'Doc::"d1"', 'Plain::"p"', 'User::"u1"']), "context": c})
        return out

ERR_RE = re.compile(r"policy `([^`]+)`")

def answers(reqs, results):
    out = []
    for q, res in zip(reqs, results):
        errs = sorted({m.group(1) for e in res.diagnostics.errors for m in [ERR_RE.search(e)] if m})
        decision = res.decision.name.lower()
        out.append(dict(q, decision="error" if decision == "nodecision" else decision,
                        reasons=sorted(res.diagnostics.reasons), errors=errs))
    return out

def validation(policies, schema):
    result = cedarpy.validate_policies(policies, schema)
    return {"passed": result.validation_passed,
            "errors": sorted(re.sub(r"^for policy `[^`]*`[,:] ", "", e.error) for e in result.errors)}

def write_case(args, k, policies, ents, reqs, schema=None):
    """Asks the reference and writes the case; False when it rejects the policy text."""
    results = cedarpy.is_authorized_batch(reqs, policies, ents, schema) if schema else cedarpy.is_authorized_batch(reqs, policies, ents)
    parse_failed = [res for res in results if res.decision.name == "NoDecision" and any("parse error" in e.lower() for e in res.diagnostics.errors)]
    name = f"{args.profile}-{args.seed}-{k:04d}" if args.profile != "agent" else f"{args.seed}-{k:04d}"
    if parse_failed:
        with open(os.path.join(args.out, f"reject-{name}.json"), "w") as f:
            json.dump({"policies": policies, "why": "\n".join(parse_failed[0].diagnostics.errors)[:400]}, f, indent=1, ensure_ascii=False)
        return False
    case = {"policies": policies, "entities": ents}
    if schema:
        case["schema"] = schema
        case["validation"] = validation(policies, schema)
        if all(any("failed to parse entities" in e for e in res.diagnostics.errors) for res in results):
            case["entitiesRejected"] = True
            case["why"] = results[0].diagnostics.errors[0][-300:]
            reqs, results = [], []
    case["requests"] = answers(reqs, results)
    with open(os.path.join(args.out, f"case-{name}.json"), "w") as f:
        json.dump(case, f, indent=1, ensure_ascii=False)
    return True

def run(args):
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    made = 0
    if args.profile in ("agent", "wide"):
        run_agent(args, rng)
        return
    for k in range(args.sets):
        if args.profile == "extn":
            typed = k % 2 == 1
            g = ExtnGen(rng, typed)
            made += write_case(args, k, g.policies(), g.entities(), g.requests(args.requests), EXTN_SCHEMA if typed else None)
        elif args.profile == "actions":
            schema, ents, policies, reqs = ActionGen(rng).case()
            made += write_case(args, k, policies, ents, reqs, schema)
        elif args.profile == "tags":
            typed = k % 2 == 1
            g = TagGen(rng, typed)
            made += write_case(args, k, g.policies(), g.entities(), g.requests(args.requests), TAGS_SCHEMA if typed else None)
        elif args.profile == "unicode":
            ents, policies, reqs = UnicodeGen(rng).case()
            made += write_case(args, k, policies, ents, reqs)
        else:
            raise SystemExit(f"unknown profile {args.profile}")
    print(f"{made} cases written to {args.out}")

def run_agent(args, rng):
    g = Gen(rng, args.profile)
    made = 0
    for k in range(args.sets):
        ents = g.entities()
        n = rng.randint(1, 8)
        policies = "\n\n".join(g.policy(i) for i in range(n))
        reqs = [g.request() for _ in range(args.requests)]
        results = cedarpy.is_authorized_batch(reqs, policies, ents)
        bad = [res for res in results if res.decision.name == "NoDecision"]
        if bad:  # the reference parser rejects this text: keep it as a reject case
            with open(os.path.join(args.out, f"reject-{args.seed}-{k:04d}.json"), "w") as f:
                json.dump({"policies": policies, "why": "\n".join(bad[0].diagnostics.errors)[:400]}, f, indent=1)
            continue
        out = []
        for q, res in zip(reqs, results):
            errs = sorted({m.group(1) for e in res.diagnostics.errors for m in [ERR_RE.search(e)] if m})
            out.append(dict(q, decision=res.decision.name.lower(),
                            reasons=sorted(res.diagnostics.reasons), errors=errs))
        case = {"policies": policies, "entities": ents, "requests": out}
        with open(os.path.join(args.out, f"case-{args.seed}-{k:04d}.json"), "w") as f:
            json.dump(case, f, indent=1)
        if k % 5 == 0:
            with open(os.path.join(args.out, f"format-{args.seed}-{k:04d}.json"), "w") as f:
                json.dump({"input": policies, "formatted": cedarpy.format_policies(policies)}, f, indent=1)
        made += 1
    print(f"{made} cases written to {args.out}")

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sets", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", default="agent")
    run(ap.parse_args())
