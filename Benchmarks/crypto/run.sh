#!/usr/bin/env bash
# Crypto benchmark: stepguard's SHA-256 (with the CPU's SHA instructions where it has them, and
# the portable Swift code) and Ed25519 beside sha256sum and OpenSSL, in one run.
#
#   Benchmarks/crypto/run.sh            # 256 MB file, 3 s per Ed25519 measurement
#   SIZE_MB=64 SECONDS_PER=1 Benchmarks/crypto/run.sh
#
# Needs a release build of stepguard-bench whose main.swift dispatches
# `stepguard-bench crypto ...` to runCryptoBenchmark(arguments:).
set -euo pipefail

cd "$(dirname "$0")/../.."
SIZE_MB=${SIZE_MB:-256}
SECONDS_PER=${SECONDS_PER:-3}
RUNS=${RUNS:-3}

echo "building stepguard-bench (release)..." >&2
swift build -c release --product stepguard-bench >&2
BENCH=.build/release/stepguard-bench
# The digest of the empty file proves the crypto mode is wired in (and correct).
if ! "$BENCH" crypto sha256 /dev/null 2>/dev/null | grep -q '^sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855$'; then
    echo "error: '$BENCH crypto' is not wired; main.swift must call runCryptoBenchmark(arguments:)" >&2
    exit 2
fi

FILE=$(mktemp "${TMPDIR:-/tmp}/stepguard-sha256-XXXXXX")
trap 'rm -f "$FILE"' EXIT
echo "writing a ${SIZE_MB} MB random file..." >&2
head -c $((SIZE_MB * 1048576)) /dev/urandom > "$FILE"
cat "$FILE" > /dev/null  # warm the page cache so every tool reads from memory
BYTES=$(wc -c < "$FILE")

# CPU seconds (user + system) a command takes. CPU time rather than wall-clock time keeps the
# comparison fair on a shared machine, and it is what `openssl speed` reports too.
elapsed() {
    local TIMEFORMAT='%3U %3S' out
    out=$( { time "$@" > /dev/null 2>&1; } 2>&1 )
    awk -v u="${out% *}" -v s="${out#* }" 'BEGIN { print u + s }'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
mbps() { awk -v n="$BYTES" -v t="$1" 'BEGIN { print n / 1000000 / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

ours_digest=$("$BENCH" crypto sha256 "$FILE" | awk '$1 == "sha256" { print $2 }')
ref_digest=$(sha256sum "$FILE" | awk '{ print $1 }')
if [ "$ours_digest" != "$ref_digest" ]; then
    echo "error: digests differ: stepguard $ours_digest, sha256sum $ref_digest" >&2
    exit 1
fi

# The tools take turns within each round, so a change in machine load hits all of them alike.
ours_t="" portable_t="" sum_t="" ossl_t=""
for _ in $(seq "$RUNS"); do
    ours_t=$(min "$(elapsed "$BENCH" crypto sha256 "$FILE")" "$ours_t")
    portable_t=$(min "$(elapsed env STEPGUARD_SHA256=portable "$BENCH" crypto sha256 "$FILE")" "$portable_t")
    sum_t=$(min "$(elapsed sha256sum "$FILE")" "$sum_t")
    if command -v openssl > /dev/null; then
        ossl_t=$(min "$(elapsed openssl dgst -sha256 "$FILE")" "$ossl_t")
    fi
done

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
echo "SHA-256, ${SIZE_MB} MB file, best of ${RUNS} (CPU time, MB = 10^6 bytes)"
printf '  %-28s %8.3f s  %8.1f MB/s\n' "stepguard (default)" "$ours_t" "$(mbps "$ours_t")"
printf '  %-28s %8.3f s  %8.1f MB/s\n' "stepguard (portable Swift)" "$portable_t" "$(mbps "$portable_t")"
printf '  %-28s %8.3f s  %8.1f MB/s\n' "sha256sum" "$sum_t" "$(mbps "$sum_t")"
if [ -n "${ossl_t:-}" ]; then
    printf '  %-28s %8.3f s  %8.1f MB/s\n' "openssl dgst -sha256" "$ossl_t" "$(mbps "$ossl_t")"
fi
printf '  stepguard / sha256sum speed: %.2fx (portable Swift: %.2fx)\n' "$(ratio "$sum_t" "$ours_t")" "$(ratio "$sum_t" "$portable_t")"

echo
echo "Ed25519, ${SECONDS_PER} CPU-seconds per measurement, 64-byte messages"
ours=$("$BENCH" crypto ed25519 "$SECONDS_PER")
ours_sign=$(echo "$ours" | awk '$1 == "ed25519_sign_per_s" { printf "%.0f", $2 }')
ours_verify=$(echo "$ours" | awk '$1 == "ed25519_verify_per_s" { printf "%.0f", $2 }')
printf '  %-28s %10s sign/s %10s verify/s\n' "stepguard (Swift)" "$ours_sign" "$ours_verify"
if command -v openssl > /dev/null; then
    line=$(openssl speed -seconds "$SECONDS_PER" ed25519 2>/dev/null | grep -i 'Ed25519)' | tail -1)
    ossl_sign=$(echo "$line" | awk '{ printf "%.0f", $(NF-1) }')
    ossl_verify=$(echo "$line" | awk '{ printf "%.0f", $NF }')
    printf '  %-28s %10s sign/s %10s verify/s\n' "openssl speed ed25519" "$ossl_sign" "$ossl_verify"
    printf '  openssl / stepguard: sign %.2fx, verify %.2fx (target: at most 3x)\n' \
        "$(ratio "$ossl_sign" "$ours_sign")" "$(ratio "$ossl_verify" "$ours_verify")"
fi
