#!/usr/bin/env python3
"""Same-run comparison of several `stepguard` builds on the Cedar benchmark workload.

    python3 Benchmarks/cedar/ab.py --bench BIN/stepguard-bench [--sizes "10 100 1000"]
        [--requests 20000] [--turns 7] [--seed 1] before=OLD/stepguard after=NEW/stepguard

For each policy-set size, the workload is generated once (`stepguard-bench cedar`), then the
builds take turns running `authorize --requests` on it as a whole process (start, load, answer,
print), the order rotating each turn so that none always runs first. Each run's CPU time (user +
system of the child) is recorded; the table gives the median over the turns, requests per CPU
second, and the ratio to the first build (above 1 is faster). Every build must give the same
decision, reasons and errors for every request, or the script fails (members added to the answer
lines over time, such as `line` and `schema`, are not compared). The load average is printed before and after: on a
shared machine, CPU time and many turns are what make the comparison fair.
"""
import argparse, hashlib, json, os, statistics, subprocess, sys, tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--bench", required=True, help="the stepguard-bench binary that generates the workload")
parser.add_argument("--sizes", default="10 100 1000")
parser.add_argument("--requests", type=int, default=20000)
parser.add_argument("--turns", type=int, default=7)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("builds", nargs="+", help="NAME=PATH of a stepguard binary; the first is the base")
args = parser.parse_args()
builds = [b.split("=", 1) for b in args.builds]
if any(len(b) != 2 for b in builds):
    sys.exit("error: give each build as NAME=PATH")


def load():
    return " ".join("%.1f" % x for x in os.getloadavg())


def answers(path):
    """A digest of each line's decision, reasons and errors."""
    digest = hashlib.sha256()
    with open(path) as f:
        for line in f:
            a = json.loads(line)
            digest.update(json.dumps([a["decision"], a["reasons"], a["errors"]]).encode() + b"\n")
    return digest.hexdigest()


def run(binary, d, out):
    command = [binary, "authorize", "--policies", d + "/policies.cedar", "--entities", d + "/entities.json",
               "--requests", d + "/requests.jsonl", "--format", "json"]
    with open(out, "wb") as f:
        child = subprocess.Popen(command, stdout=f, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit("%s exited with %d" % (binary, os.waitstatus_to_exitcode(status)))
    return usage.ru_utime + usage.ru_stime


with tempfile.TemporaryDirectory(prefix="stepguard-cedar-ab-") as work:
    print("builds: " + ", ".join("%s=%s" % (n, p) for n, p in builds))
    print("workload: stepguard-bench cedar, %d requests, seed %d; %d turns; median CPU time per build"
          % (args.requests, args.seed, args.turns))
    for size in args.sizes.split():
        d = os.path.join(work, "p" + size)
        subprocess.run([args.bench, "cedar", "--policies", size, "--requests", str(args.requests),
                        "--seed", str(args.seed), "--out", d, "--repeat", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        before = load()
        cpu = {name: [] for name, _ in builds}
        digests = {}
        for turn in range(args.turns):
            order = builds[turn % len(builds):] + builds[:turn % len(builds)]
            for name, binary in order:
                out = os.path.join(work, "answers")
                cpu[name].append(run(binary, d, out))
                digests.setdefault(name, set()).add(answers(out))
        if len(set().union(*digests.values())) != 1:
            sys.exit("error: the builds' answers differ at %s policies" % size)
        base = statistics.median(cpu[builds[0][0]])
        print("%s policies (load average %s before, %s after)" % (size, before, load()))
        for name, _ in builds:
            m = statistics.median(cpu[name])
            print("  %-12s median CPU %7.3f s  %9.0f req/s  %.3fx  (min %.3f, max %.3f)"
                  % (name, m, args.requests / m, base / m, min(cpu[name]), max(cpu[name])))
