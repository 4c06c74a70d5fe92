#!/usr/bin/env bash
# Prints the FUZZING.md table row of each target's last run, from Fuzz/out/TARGET/last.log:
# seconds fuzzed, executions, coverage (cov: edges, ft: features), corpus, and artifacts left
# (crash-, leak-, timeout-, oom- files) in Fuzz/out/TARGET.
#
#   Fuzz/report.sh [TARGET...]      default: every target that has a log
set -euo pipefail

out="$(cd "$(dirname "$0")" && pwd)/out"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for log in "$out"/*/last.log; do [ -f "$log" ] && targets+=("$(basename "$(dirname "$log")")"); done
fi
echo "| harness | seconds | executions | cov | ft | corpus | open artifacts |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
    log="$out/$t/last.log"
    [ -f "$log" ] || { echo "| $t | no run | | | | | |"; continue; }
    done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1 || true)
    runs=$(echo "$done_line" | awk '{ print $2 }')
    seconds=$(echo "$done_line" | awk '{ print $5 }')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corpus=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9]*[A-Za-z]*\).*/\1/p')
    artifacts=$(find "$out/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$t" "${seconds:-?}" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$artifacts"
done
