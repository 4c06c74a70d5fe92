#!/usr/bin/env bash
# Writes Sources/stepguard/link-order.txt: the functions a gate call runs, which the release link
# places together at the start of the executable's code (Package.swift, `--symbol-ordering-file`).
# A process that starts for every tool call faults in each page of code it touches; with the
# functions it runs spread over 17 MB of code, that was a fault for nearly every one of them.
#
#   Benchmarks/gate/link-order.sh      # needs valgrind; run after changes to the gate's path
#
# The list is the functions `valgrind --tool=callgrind` sees run, profile by profile, in:
# `stepguard --version`; a Claude Code PreToolUse call (a `Read`, and a `Bash` command, which
# meets the mapping's patterns) and a PostToolUse on the benchmark's project of 100 policies; a
# PreToolUse on the project of 1,000 policies and 10,000 entities. A name the code no longer has is
# passed over by the linker, so a stale list costs only speed; regenerate it when a profile shows
# the gate's code spread out again (BENCHMARKS.md, "Code in the order a call runs it"). SwiftPM
# does not link again when only the list changed: remove the release binary, then build.
set -euo pipefail

cd "$(dirname "$0")/../.."
command -v valgrind > /dev/null || { echo "error: valgrind is needed (apt-get install valgrind)" >&2; exit 2; }

swift build -c release --static-swift-stdlib --product stepguard >&2
swift build -c release --static-swift-stdlib --product stepguard-bench >&2
BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stepguard-link-order-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# valgrind reads the symbol table, not the debug information of a static executable.
strip --strip-debug -o "$WORK/stepguard" "$BIN/stepguard"

"$BIN/stepguard-bench" gate --out "$WORK/small" --policies 100 --entities 100 --session-steps 200 --log-records 20000 >&2
"$BIN/stepguard-bench" gate --out "$WORK/large" --policies 1000 --entities 10000 --session-steps 200 --log-records 20000 >&2

# event PROJECT NAME HOOK TOOL INPUT: an event of the benchmark's session with a fresh call id.
event() {
    python3 - "$@" <<'PY'
import json, sys
project, name, hook, tool, tool_input = sys.argv[1:6]
e = json.load(open(project + "/event.json"))
e["tool_use_id"] = "toolu_order_" + name
e["hook_event_name"] = hook
if tool:
    e["tool_name"] = tool
    e["tool_input"] = json.loads(tool_input)
if hook == "PostToolUse":
    e["tool_use_id"] = "toolu_order_read"
    e["tool_response"] = {"success": True}
print(json.dumps(e))
PY
}

profile() {
    local name=$1; shift
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/$name.out" "$@" > /dev/null 2>&1 || true
}
# The first call of each project builds its index and cache: not the path to order.
event "$WORK/small" warm PreToolUse "" "" | "$BIN/stepguard" gate --host claude-code > /dev/null
event "$WORK/large" warm PreToolUse "" "" | "$BIN/stepguard" gate --host claude-code > /dev/null

profile 1-version "$WORK/stepguard" --version
event "$WORK/small" read PreToolUse "" "" > "$WORK/read.json"
profile 2-read "$WORK/stepguard" gate --host claude-code < "$WORK/read.json"
event "$WORK/small" bash PreToolUse Bash '{"command": "git status"}' > "$WORK/bash.json"
profile 3-bash "$WORK/stepguard" gate --host claude-code < "$WORK/bash.json"
event "$WORK/small" done PostToolUse "" "" > "$WORK/done.json"
profile 4-done "$WORK/stepguard" gate --host claude-code < "$WORK/done.json"
event "$WORK/large" read PreToolUse "" "" > "$WORK/large.json"
profile 5-large "$WORK/stepguard" gate --host claude-code < "$WORK/large.json"

python3 - "$WORK" Sources/stepguard/link-order.txt <<'PY'
import glob, os, re, sys
work, out = sys.argv[1:3]
names, seen = [], set()
for path in sorted(glob.glob(os.path.join(work, "*.out"))):
    ids, found = {}, set()
    for line in open(path, errors="replace"):
        m = re.match(r"^c?fn=\((\d+)\)(?: (.*))?$", line.strip())
        if not m:
            continue
        if m.group(2):
            ids[m.group(1)] = m.group(2)
        name = ids.get(m.group(1))
        # Addresses without a symbol, and valgrind's own names, are nothing the linker can place.
        if name and not name.startswith("0x") and " " not in name:
            found.add(name)
    # Each profile adds the functions the ones before it did not run, sorted so that the list
    # changes only where the code did.
    for name in sorted(found - seen):
        seen.add(name)
        names.append(name)
if len(names) < 500:
    sys.exit("error: only %d functions seen; did the gate calls run?" % len(names))
with open(out, "w") as f:
    f.write("".join(n + "\n" for n in names))
print("%s: %d functions" % (out, len(names)), file=sys.stderr)
PY
