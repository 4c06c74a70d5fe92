#!/usr/bin/env bash
# Gate benchmark: `stepguard gate --host claude-code` as a whole process, once per tool call, the
# way Claude Code runs it: p50 and p99 wall time over CALLS calls, for a policy set of 100 and
# one of 1,000 policies with 10,000 entities, each with a session of 1,000 earlier calls inside
# a log of 1,000,000 records. In the same run, `python3 -c "import cedarpy"` (the start-up floor
# of any hook written in Python on the reference Cedar engine) as the peer.
#
#   Benchmarks/gate/run.sh
#   CALLS=100 RECORDS=200000 Benchmarks/gate/run.sh
#
# The first call of each configuration builds the session's index from the whole log; it is
# reported on its own. Every timed call decides, appends its decision (fsync included) and
# answers, so the session and the log grow by one record per call.
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
    python3 - "$BIN/stepguard" "$dir" "$CALLS" "$name" "$policies" "$entities" "$HAVE_CEDARPY" <<'PY'
import json, os, subprocess, sys, time
binary, project, calls, name, policies, entities, have_cedarpy = sys.argv[1:8]
calls = int(calls)
event = json.load(open(os.path.join(project, "event.json")))
argv = [binary, "gate", "--host", "claude-code"]

def call(n):
    e = dict(event)
    e["tool_use_id"] = "toolu_next%d" % n
    data = json.dumps(e).encode()
    start = time.perf_counter()
    done = subprocess.run(argv, input=data, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit("gate failed: %s" % done.stderr.decode())
    return elapsed

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]

first = call(0)
times = [call(n) for n in range(1, calls + 1)]
peer = []
if have_cedarpy == "1":
    for _ in range(calls):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import cedarpy"], check=True)
        peer.append(time.perf_counter() - start)
p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
row = "| %s policies, %s entities | %.1f ms | %.2f ms | %.2f ms |" % (policies, entities, first * 1000, p50, p99)
if peer:
    q50, q99 = percentile(peer, 50) * 1000, percentile(peer, 99) * 1000
    row += " %.1f ms | %.1f ms | %.1f× |" % (q50, q99, q50 / p50)
else:
    row += " – | – | – |"
print(row)
PY
}

echo "| configuration | first call (index built) | gate p50 | gate p99 | import cedarpy p50 | import cedarpy p99 | p50 ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run_config small 100 100
run_config large 1000 10000
