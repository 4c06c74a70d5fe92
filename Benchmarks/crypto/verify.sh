#!/usr/bin/env bash
# Signature verification: stepguard's ECDSA (P-256, P-384, P-521) and RSA PKCS #1 v1.5 (2048,
# 3072, 4096 bits) beside `openssl speed`, in one run, both as verifications per CPU-second.
#
#   Benchmarks/crypto/verify.sh              # 3 CPU-seconds per measurement
#   SECONDS_PER=1 Benchmarks/crypto/verify.sh
#
# Keys come from `openssl genpkey` and signatures from `openssl dgst -sign`; the benchmark
# refuses to run if stepguard does not verify them.
set -euo pipefail

cd "$(dirname "$0")/../.."
SECONDS_PER=${SECONDS_PER:-3}

echo "building stepguard-bench (release)..." >&2
swift build -c release --product stepguard-bench >&2
BENCH=.build/release/stepguard-bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stepguard-verify-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
head -c 256 /dev/urandom > "$WORK/message"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
echo "verifications per CPU-second, ${SECONDS_PER} s per measurement"
printf '  %-16s %12s %12s %10s\n' "" "stepguard" "openssl" "openssl/us"

for curve in P-256 P-384 P-521; do
    case $curve in
        P-256) hash=sha256 speed=ecdsap256 bytes=65 ;;
        P-384) hash=sha384 speed=ecdsap384 bytes=97 ;;
        P-521) hash=sha512 speed=ecdsap521 bytes=133 ;;
    esac
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:$curve -out "$WORK/ec.pem" 2>/dev/null
    openssl dgst -$hash -sign "$WORK/ec.pem" -out "$WORK/ec.sig" "$WORK/message"
    # The uncompressed point is the tail of the SubjectPublicKeyInfo.
    point=$(openssl pkey -in "$WORK/ec.pem" -pubout -outform DER | tail -c $bytes | od -An -v -tx1 | tr -d ' \n')
    ours=$("$BENCH" crypto verify ecdsa "$point" "$WORK/ec.sig" "$WORK/message" "$SECONDS_PER" | awk '{ printf "%.0f", $2 }')
    theirs=$(openssl speed -seconds "$SECONDS_PER" $speed 2>/dev/null | awk -v n="(nist${speed#ecdsa})" 'index($0, "ecdsa " n) { v = $NF } END { printf "%.0f", v }')
    printf '  %-16s %12s %12s %10s\n' "ECDSA $curve" "$ours" "$theirs" "$(ratio "$theirs" "$ours")"
done

for bits in 2048 3072 4096; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out "$WORK/rsa.pem" 2>/dev/null
    openssl dgst -sha256 -sign "$WORK/rsa.pem" -out "$WORK/rsa.sig" "$WORK/message"
    modulus=$(openssl rsa -in "$WORK/rsa.pem" -modulus -noout | cut -d= -f2)
    ours=$("$BENCH" crypto verify rsa "$modulus" "$WORK/rsa.sig" "$WORK/message" "$SECONDS_PER" | awk '{ printf "%.0f", $2 }')
    theirs=$(openssl speed -seconds "$SECONDS_PER" rsa$bits 2>/dev/null | awk -v b="$bits" '$1 == "rsa" && $2 == b { v = $(NF) } END { printf "%.0f", v }')
    printf '  %-16s %12s %12s %10s\n' "RSA-$bits" "$ours" "$theirs" "$(ratio "$theirs" "$ours")"
done
