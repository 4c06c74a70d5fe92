#!/usr/bin/env bash
# Gate benchmark: `stepguard gate --host claude-code` as a whole process, once per tool call, the
# way Claude Code runs it: p50 and p99 wall time over CALLS calls, for a policy set of 100 and
# one of 1,000 policies with 10,000 entities, each with a session of 1,000 earlier calls inside
# a log of 1,000,000 records. In the same run, `python3 -c "import cedarpy"` (the start-up floor
# of any hook written in Python on the reference Cedar engine) as the peer.
#
#   Benchmarks/gate/run.sh
#   CALLS=100 RECORDS=200000 Benchmarks/gate/run.sh
#   BEFORE=/path/to/other/stepguard Benchmarks/gate/run.sh   # also an older build, taking turns
#
# With BEFORE, that binary (another build of stepguard, e.g. main's) is timed in the same run,
# taking turns call by call with this one and the peer, on a project of its own written the same
# way (the two builds write different records, indexes and compiled-policy caches, and neither
# may decide on what the other appended), and gets a row of its own. `stepguard --version` (the
# bare start-up of the binary) is timed in the same turns: the floor under any call.
#
# The first call of each configuration builds the session's index from the whole log; it is
# reported on its own. Every timed call decides, appends its decision (fsync included) and
# answers, so the session and the log grow by one record per call. Wall time and CPU time (user
# + system, from the children's rusage) are reported; on a shared machine the wall clock mostly
# measures the other jobs, so the ratio is also taken on CPU time.
set -euo pipefail

cd "$(dirname "$0")/../.."
CALLS=${CALLS:-300}
RECORDS=${RECORDS:-1000000}
STEPS=${STEPS:-1000}

echo "building stepguard and stepguard-bench (release, static Swift runtime)..." >&2
swift build -c release --static-swift-stdlib --product stepguard >&2
swift build -c release --static-swift-stdlib --product stepguard-bench >&2
BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stepguard-gate-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

HAVE_CEDARPY=0
if python3 -c 'import cedarpy' 2>/dev/null; then HAVE_CEDARPY=1; else echo "note: cedarpy is not installed (python3 -m pip install cedarpy); the peer column stays empty" >&2; fi

run_config() {
    local name=$1 policies=$2 entities=$3
    local dir="$WORK/$name"
    "$BIN/stepguard-bench" gate --out "$dir" --policies "$policies" --entities "$entities" \
        --session-steps "$STEPS" --log-records "$RECORDS" >&2
    # The other build gets a project of its own, written the same way: the two write different
    # records (and indexes), and neither may decide on what the other appended.
    if [ -n "${BEFORE:-}" ]; then
        "$BIN/stepguard-bench" gate --out "$dir-before" --policies "$policies" --entities "$entities" \
            --session-steps "$STEPS" --log-records "$RECORDS" >&2
    fi
    python3 - "$BIN/stepguard" "$dir" "$CALLS" "$name" "$policies" "$entities" "$HAVE_CEDARPY" "${BEFORE:-}" <<'PY'
import json, os, resource, subprocess, sys, time
binary, project, calls, name, policies, entities, have_cedarpy, before = sys.argv[1:9]
calls = int(calls)
event = json.load(open(os.path.join(project, "event.json")))
binaries = [("before", before)] if before else []
binaries.append(("this build", binary))

def timed(command, data=None):
    """Wall time and CPU time (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, input=data, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit("%s failed: %s" % (command[0], done.stderr.decode()))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def call(label, binary, n):
    e = dict(event)
    e["tool_use_id"] = "toolu_next%d_%s" % (n, label.replace(" ", "_"))
    if label == "before":
        # Its own copy of the project (see above).
        e = json.loads(json.dumps(e).replace(project, project + "-before"))
    return timed([binary, "gate", "--host", "claude-code"], json.dumps(e).encode())

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]

# The first call of each binary builds what it keeps beside the log (the session's index, the
# compiled-policy cache); it is reported, not counted.
first = {label: call(label, path, 0) for label, path in binaries}
# The binaries and the peer take turns, so all see the same load on a shared machine.
gate = {label: [] for label, _ in binaries}
bare = {label: [] for label, _ in binaries}
peer = []
for n in range(1, calls + 1):
    for label, path in binaries:
        gate[label].append(call(label, path, n))
        bare[label].append(timed([path, "--version"]))
    if have_cedarpy == "1":
        peer.append(timed([sys.executable, "-c", "import cedarpy"]))

def cell(samples, which):
    values = [s[which] * 1000 for s in samples]
    return percentile(values, 50), percentile(values, 99)

load = "%.1f" % os.getloadavg()[0]
for label, _ in binaries:
    row = "| %s policies, %s entities | %s | %.0f ms |" % (policies, entities, label, first[label][0] * 1000)
    for which in (1, 0):
        g50, g99 = cell(gate[label], which)
        row += " %.1f / %.1f ms |" % (g50, g99)
        if peer:
            q50, q99 = cell(peer, which)
            row += " %.1f / %.1f ms | %.1f× |" % (q50, q99, q50 / g50)
        else:
            row += " – | – |"
    b50, _ = cell(bare[label], 1)
    row += " %.1f ms | %s |" % (b50, load)
    print(row)
PY
}

echo "| configuration | build | first call (index, cache built) | gate CPU p50 / p99 | import cedarpy CPU p50 / p99 | ratio | gate wall p50 / p99 | import cedarpy wall p50 / p99 | ratio | --version CPU p50 | load |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
run_config small 100 100
run_config large 1000 10000
