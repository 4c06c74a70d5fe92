#!/usr/bin/env bash
# Replay benchmark: `stepguard replay` of a Claude Code transcript of SESSIONS sessions of CALLS
# calls each (100,000 calls over 1,000 sessions by default) against the coding-agent example's
# policies: calls per second over the whole process (reading, mapping, deciding every call with
# its session's history, and writing the JSON report), wall and CPU time (user + system).
#
#   Benchmarks/replay/run.sh
#   SESSIONS=100 CALLS=100 Benchmarks/replay/run.sh
set -euo pipefail

cd "$(dirname "$0")/../.."
SESSIONS=${SESSIONS:-1000}
CALLS=${CALLS:-100}

echo "building stepguard and stepguard-bench (release)..." >&2
swift build -c release --product stepguard >&2
swift build -c release --product stepguard-bench >&2
BIN=$(swift build -c release --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stepguard-replay-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$BIN/stepguard-bench" replay --out "$WORK/transcript.jsonl" --sessions "$SESSIONS" --calls "$CALLS"

python3 - "$BIN/stepguard" "$WORK/transcript.jsonl" "$SESSIONS" "$CALLS" <<'PY'
import json, os, resource, subprocess, sys, time
binary, transcript, sessions, calls = sys.argv[1:5]
total = int(sessions) * int(calls)
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
done = subprocess.run([binary, "replay", "-p", "policies/examples/coding-agent", "--root", "/work/app",
                       "--format", "json", transcript], capture_output=True)
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
if done.returncode not in (0, 1):
    sys.exit("replay failed: " + done.stderr.decode())
summary = json.loads(done.stdout)["summary"]
assert summary["calls"] == total, summary
size = os.path.getsize(transcript) / 1e6
print(f"{total} calls over {sessions} sessions ({size:.0f} MB transcript): "
      f"wall {wall:.1f} s ({total / wall:,.0f} calls/s), CPU {cpu:.1f} s ({total / cpu:,.0f} calls/s)")
print("outcomes: " + ", ".join(f"{k} {summary[k]}" for k in ("allow", "warn", "mutate", "approve", "deny")))
PY
