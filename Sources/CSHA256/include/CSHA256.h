// SHA-256 compression with the CPU's SHA instructions, where it has them.
//
// Hashing is the hot path of `audit verify` (every record line, every Merkle node). The portable
// Swift implementation in the Crypto module stays the reference and the fallback; this target
// only adds the instruction-set path, chosen at run time.
#ifndef STEPGUARD_CSHA256_H
#define STEPGUARD_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU can run `stepguard_sha256_compress_hw`, else 0.
int stepguard_sha256_hw_available(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (the eight FIPS 180-4 words, in
/// order). Only call it when `stepguard_sha256_hw_available()` returned 1.
void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
