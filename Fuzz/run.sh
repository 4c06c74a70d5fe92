#!/usr/bin/env bash
# Builds one libFuzzer harness and runs it for SECONDS, seeded from the test fixtures.
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer flags...]   build and fuzz (single process)
#   Fuzz/run.sh TARGET build                          build only
#   Fuzz/run.sh TARGET repro FILE...                  run the harness once on each FILE
#   Fuzz/run.sh list                                  the targets
#
# The package modules a harness needs are compiled with coverage and AddressSanitizer into
# static libraries under Fuzz/out/build (rebuilt when their sources change), and the harness is
# linked against them. The growing corpus lives in Fuzz/out/TARGET/corpus, crashes in
# Fuzz/out/TARGET/, the log of the last run in Fuzz/out/TARGET/last.log.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Fuzz/out"
build="$out/build"
swiftc=${SWIFTC:-swiftc}
clang=${CLANG:-clang}
ar=${AR:-ar}
# C targets' module maps, so Swift modules (and harnesses) can import them.
c_includes="-I $root/Sources/CHotPaths/include"
opt=${FUZZ_OPT:--O}

# target -> harness file | modules (dependents first) | fixture globs (whole files are seeds) |
#           fixture files whose every line is a seed | max input length
target_info() {
    case "$1" in
    json)         echo "JSON.swift|JSONValue|*.json||4096" ;;
    cedar-policy) echo "CedarPolicy.swift|Cedar JSONValue Basics|*.cedar|Tests/CedarTests/Fixtures/validator/*-policies.txt|4096" ;;
    cedar-schema) echo "CedarSchema.swift|Cedar JSONValue Basics|*.cedarschema *.cedarschema.json *.schema|Tests/CedarTests/Fixtures/schema/cases-schemas.txt|8192" ;;
    entities)     echo "Entities.swift|Cedar JSONValue Basics|entities.json||8192" ;;
    plan)         echo "Plan.swift|Workflow Cedar JSONValue Crypto Basics|plan.json good-plan.json bad-*.json tools.json||8192" ;;
    jwt)          echo "JWT.swift|Credentials Crypto JSONValue Basics|||4096" ;;
    keys)         echo "Keys.swift|Credentials Crypto JSONValue Basics|*.key *.pub *.pem *.jwk||4096" ;;
    audit-log)    echo "AuditLogLines.swift|AuditLog Crypto JSONValue Basics|*.jsonl||8192" ;;
    audit-note)   echo "AuditNote.swift|AuditLog Crypto JSONValue Basics|*.note *.vkey||4096" ;;
    cli-args)     echo "CLIArguments.swift|StepGuardCLI Gate Approvals Workflow Lint Credentials AuditLog Cedar JSONValue Crypto Basics|||1024" ;;
    *) return 1 ;;
    esac
}
targets="json cedar-policy cedar-schema entities plan jwt keys audit-log audit-note cli-args"

if [ "${1:-}" = list ] || [ $# -lt 2 ]; then
    echo "usage: Fuzz/run.sh TARGET SECONDS|build|repro FILE... [libFuzzer flags]" >&2
    echo "targets: $targets" >&2
    [ "${1:-}" = list ] && exit 0 || exit 2
fi

target=$1; shift
mode=$1; shift
info=$(target_info "$target") || { echo "unknown target '$target'; targets: $targets" >&2; exit 2; }
IFS='|' read -r harness modules globs linefiles maxlen <<<"$info"
mkdir -p "$build"

module_deps() {
    case "$1" in
    # As Package.swift says.
    JSONValue|Crypto|Basics) echo "" ;;
    Cedar) echo "JSONValue Basics" ;;
    Credentials|AuditLog) echo "Crypto JSONValue Basics" ;;
    Workflow) echo "Cedar JSONValue Crypto Basics" ;;
    Lint) echo "Workflow Cedar JSONValue Basics" ;;
    Gate) echo "Workflow AuditLog JSONValue Crypto Basics" ;;
    Approvals) echo "Workflow Credentials AuditLog Crypto JSONValue Basics" ;;
    StepGuardCLI) echo "Gate Approvals Workflow Lint Credentials AuditLog Cedar JSONValue Crypto Basics" ;;
    esac
}

# Compiles Sources/M into Fuzz/out/build/libM.a (+ M.swiftmodule) unless it is up to date: the
# stamp records the sources (names, sizes, times) and the stamps of the modules it imports, so an
# added, removed or changed file anywhere below rebuilds it.
build_module() {
    local m=$1 lib="$build/lib$1.a" stamp="$build/$1.stamp" d current
    for d in $(module_deps "$m"); do build_module "$d"; done
    current=$( { echo "flags: $opt -enable-testing"
                 find "$root/Sources/$m" -name '*.swift' -printf '%p %s %T@\n' | sort
                 { [ "$m" = Crypto ] || [ "$m" = AuditLog ]; } && find "$root/Sources/CHotPaths" -type f -printf '%p %s %T@\n' | sort
                 for d in $(module_deps "$m"); do cat "$build/$d.stamp"; done; } | cksum)
    if [ -f "$lib" ] && [ -f "$stamp" ] && [ "$(head -1 "$stamp")" = "$current" ]; then return 0; fi
    echo "fuzz: compiling module $m" >&2
    # shellcheck disable=SC2046
    # -enable-testing: harnesses may reach internal knobs (@testable import), as tests do.
    "$swiftc" -parse-as-library -module-name "$m" -wmo $opt -g -sanitize=fuzzer,address -enable-testing \
        -emit-module -emit-module-path "$build/$m.swiftmodule" \
        -emit-library -static -o "$lib.tmp" -I "$build" $c_includes \
        $(find "$root/Sources/$m" -name '*.swift' | sort)
    if [ "$m" = Crypto ]; then
        # Crypto's C target (the SHA instruction path) goes into the same archive.
        "$clang" -O2 -g -fsanitize=fuzzer-no-link,address -I "$root/Sources/CHotPaths/include" \
            -c "$root/Sources/CHotPaths/sha256_hw.c" -o "$build/CHotPaths.o"
        "$ar" r "$lib.tmp" "$build/CHotPaths.o" 2>/dev/null
    fi
    mv "$lib.tmp" "$lib"
    echo "$current" >"$stamp"
}

binary="$build/fuzz-$target"
build_harness() {
    local m libs=()
    for m in $modules; do build_module "$m"; done
    for m in $modules; do libs+=("$build/lib$m.a"); done
    local src="$root/Fuzz/Harnesses/$harness" common="$root/Fuzz/Harnesses/Common.swift"
    local newest
    newest=$(ls -t "$src" "$common" "${libs[@]}" "$binary" 2>/dev/null | head -1 || true)
    if [ "$newest" != "$binary" ]; then
        echo "fuzz: linking $target" >&2
        "$swiftc" -parse-as-library -module-name FuzzHarness $opt -g -use-ld=lld -sanitize=fuzzer,address \
            -I "$build" $c_includes "$src" "$common" "${libs[@]}" -o "$binary" 2>&1 | { grep -v "Cannot export local symbol" || true; } >&2
    fi
}
build_harness

export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export FUZZ_ROOT="$root"

case "$mode" in
build) echo "$binary"; exit 0 ;;
repro) exec "$binary" -runs=1 "$@" ;;
esac

seconds=$mode
work="$out/$target"
corpus="$work/corpus"
seeds="$work/seeds"
mkdir -p "$corpus" "$seeds"
# Seeds: fixture files matching the target's globs, and the committed seeds in Fuzz/Seeds/TARGET.
for g in $globs; do
    find "$root/Tests" "$root/policies" -type f -name "$g" -size -16k 2>/dev/null | while read -r f; do
        cp "$f" "$seeds/$(echo "${f#"$root"/}" | tr '/' '_')"
    done
done
# shellcheck disable=SC2086
for f in $(cd "$root" && echo $linefiles); do
    [ -f "$root/$f" ] || continue
    awk -v dir="$seeds" -v base="$(basename "$f")" 'length($0) > 0 { f = dir "/" base "-" NR; print > f; close(f) }' "$root/$f"
done
if [ -d "$root/Fuzz/Seeds/$target" ]; then cp "$root/Fuzz/Seeds/$target/"* "$seeds/" 2>/dev/null || true; fi

log="$work/last.log"
echo "fuzz: $target for ${seconds}s ($(ls "$seeds" | wc -l) seeds, corpus $(ls "$corpus" | wc -l))" >&2
set +e
# One process, one worker: the machine is shared.
"$binary" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len="$maxlen" -artifact_prefix="$work/" "$@" "$corpus" "$seeds" 2>&1 | tee "$log" | grep -v '^#[0-9]*\s*\(NEW\|REDUCE\|pulse\)' 
status=${PIPESTATUS[0]}
set -e
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
execs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{print $2}')
cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
echo "fuzz: $target status $status; executions ${execs:-?}; last: $last" >&2
# One line per run, for FUZZING.md: date, target, seconds asked, executions, cov, ft, exit status.
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$target" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$status" >>"$out/runs.tsv"
exit "$status"
