# wc-env.py N PROJECT BIN[=COPY]...
#
# Runs `BIN gate --host claude-code` on PROJECT/event.json N times for each build, the builds
# taking turns call by call, and prints wall and CPU (user + system) p50 and p99 of each. A
# build given with =COPY reads the policies and the log of the project copy COPY
# (STEPGUARD_POLICIES, STEPGUARD_LOG), so that builds with different cache formats keep their
# own cache and log while the event, its cwd and the project root stay the same.
import json, os, resource, subprocess, sys, time
n, project, specs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
ev = json.load(open(os.path.join(project, "event.json")))
bins = []
for s in specs:
    b, _, copy = s.partition("=")
    env = dict(os.environ)
    if copy:
        env["STEPGUARD_POLICIES"] = copy + "/.stepguard/policies"
        env["STEPGUARD_LOG"] = copy + "/.stepguard/audit.log"
    bins.append((b, env))
res = {b: ([], []) for b, _ in bins}
for i in range(n):
    for b, env in bins:
        e = dict(ev); e["tool_use_id"] = "toolu_w%d_%d_%s" % (os.getpid(), i, os.path.basename(b))
        data = json.dumps(e).encode()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.perf_counter()
        r = subprocess.run([b, "gate", "--host", "claude-code"], input=data, capture_output=True, env=env)
        t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != 0: sys.exit(b + ": " + r.stderr.decode())
        res[b][0].append((t1-t0)*1000); res[b][1].append(((r1.ru_utime-r0.ru_utime)+(r1.ru_stime-r0.ru_stime))*1000)
def pct(v, p): v = sorted(v); return v[min(len(v)-1, int(round(p/100*(len(v)-1))))]
for b, _ in bins:
    w, c = res[b]
    print("%-16s %s wall p50 %.2f p99 %.2f | cpu p50 %.2f p99 %.2f" % (os.path.basename(b), os.path.basename(project), pct(w,50), pct(w,99), pct(c,50), pct(c,99)))
