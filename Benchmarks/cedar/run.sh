#!/usr/bin/env bash
# Cedar benchmark: `stepguard authorize --requests` beside cedarpy's is_authorized_batch (the
# reference Rust engine behind Python) on the same generated workload, in one run, at several
# policy-set sizes; prints both throughputs, their ratio, and whether the answers agree.
#
#   Benchmarks/cedar/run.sh                          # 10, 100 and 1000 policies, 20,000 requests
#   SIZES="100" REQUESTS=5000 Benchmarks/cedar/run.sh
#
# stepguard is timed as a whole process (start, load policies and entities, parse every JSON
# line, authorize, print one JSON answer per line); cedarpy as the is_authorized_batch call
# alone, "cold" (policies and entities given as text, parsed in the call) and "warm" (pre-parsed
# handles). Both CPU time (user + system; steady on a shared machine) and wall-clock time are
# measured, best of RUNS. "agree" counts requests whose decision, reasons and number of erroring
# policies are the same in both. Needs python3 with cedarpy (python3 -m pip install cedarpy).
set -euo pipefail

cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"10 100 1000"}
REQUESTS=${REQUESTS:-20000}
RUNS=${RUNS:-3}
SEED=${SEED:-1}

if ! python3 -c 'import cedarpy' 2>/dev/null; then
    echo "error: cedarpy is not installed; run: python3 -m pip install cedarpy" >&2
    exit 2
fi
echo "building stepguard and stepguard-bench (release)..." >&2
swift build -c release --product stepguard-bench >&2
swift build -c release --product stepguard >&2
BIN=$(swift build -c release --show-bin-path)
STEPGUARD=$BIN/stepguard
BENCH=$BIN/stepguard-bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stepguard-cedar-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Best wall time and best CPU time (user + system), in seconds, of RUNS runs of a command (its
# stdout goes to $OUT).
best_time() {
    python3 - "$RUNS" "$OUT" "$@" <<'PY'
import os, subprocess, sys, time
runs, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
wall = cpu = float("inf")
for _ in range(runs):
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, usage.ru_utime + usage.ru_stime)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[0]} exited with {os.waitstatus_to_exitcode(status)}")
print(f"{wall:.6f} {cpu:.6f}")
PY
}

# Agreement of stepguard's JSON answers with cedarpy's: decision and reasons, line by line.
agreement() {
    python3 - "$1" "$2" <<'PY'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
theirs = [json.loads(l) for l in open(sys.argv[2])]
same = sum(1 for a, b in zip(ours, theirs)
           if a["decision"] == b["decision"] and sorted(a["reasons"]) == b["reasons"]
           and len(a["errors"]) == b["errors"])
print(f"{same}/{len(theirs)}" + ("" if len(ours) == len(theirs) else f" (line counts {len(ours)} vs {len(theirs)})"))
PY
}

echo "workload: generated agent governance policies, $REQUESTS requests, seed $SEED; best of $RUNS" >&2
echo "throughput in requests/s by CPU time (wall-clock in brackets); ratio = stepguard / cedarpy by CPU time"
printf "%-9s %22s %22s %22s %9s %9s %12s\n" policies "stepguard" "cedarpy cold" "cedarpy warm" "vs cold" "vs warm" "agree"
for P in $SIZES; do
    D=$WORK/p$P
    "$BENCH" cedar --policies "$P" --requests "$REQUESTS" --seed "$SEED" --out "$D" --repeat 1 > "$D.inprocess"
    OUT=$D/stepguard.jsonl
    TIMES=$(best_time "$STEPGUARD" authorize --policies "$D/policies.cedar" --entities "$D/entities.json" \
        --requests "$D/requests.jsonl" --format json)
    python3 Benchmarks/cedar/cedarpy_bench.py "$D" --repeat "$RUNS" --decisions "$D/cedarpy.jsonl" > "$D.cedarpy"
    COLD=$(sed -n 's/^cedarpy-cold: \([0-9]*\) requests\/s wall, \([0-9]*\) requests\/s cpu.*/\1 \2/p' "$D.cedarpy")
    WARM=$(sed -n 's/^cedarpy-warm: \([0-9]*\) requests\/s wall, \([0-9]*\) requests\/s cpu.*/\1 \2/p' "$D.cedarpy")
    AGREE=$(agreement "$D/stepguard.jsonl" "$D/cedarpy.jsonl")
    python3 - "$P" "$REQUESTS" $TIMES $COLD $WARM "$AGREE" <<'PY'
import sys
p, n = sys.argv[1], int(sys.argv[2])
wall, cpu = float(sys.argv[3]), float(sys.argv[4])
cold_wall, cold_cpu, warm_wall, warm_cpu = map(float, sys.argv[5:9])
agree = sys.argv[9]
ours_cpu, ours_wall = n / cpu, n / wall
def cell(c, w): return f"{c:10.0f} ({w:9.0f})"
print(f"{p:<9} {cell(ours_cpu, ours_wall):>22} {cell(cold_cpu, cold_wall):>22} {cell(warm_cpu, warm_wall):>22}"
      f" {ours_cpu / cold_cpu:8.1f}x {ours_cpu / warm_cpu:8.1f}x {agree:>12}")
PY
    sed 's/^/    in-process /' "$D.inprocess" | grep requests/s >&2 || true
done
