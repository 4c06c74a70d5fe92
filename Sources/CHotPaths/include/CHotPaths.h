// The two measured hot paths of `audit verify` that Swift cannot express (see BENCHMARKS.md):
//
// - SHA-256 compression with the CPU's SHA instructions, where it has them. Every record line
//   and every Merkle node is hashed; the portable Swift implementation in the Crypto module
//   stays the reference and the fallback, and the instruction-set path is chosen at run time.
// - A cache prefetch, so that the joins' table lookups for the next records are under way while
//   the current one is processed: on a large log each lookup is otherwise a cache miss.
#ifndef STEPGUARD_CHOTPATHS_H
#define STEPGUARD_CHOTPATHS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU can run `stepguard_sha256_compress_hw`, else 0.
int stepguard_sha256_hw_available(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (the eight FIPS 180-4 words, in
/// order). Only call it when `stepguard_sha256_hw_available()` returned 1.
void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Asks the CPU to bring the cache line at `address` in ahead of a write. Only a hint: it
/// never faults, whatever `address` is.
static inline void stepguard_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

#endif
