// The two measured hot paths of `audit verify` that Swift cannot express (see BENCHMARKS.md):
//
// - SHA-256 compression with the CPU's SHA instructions, where it has them. Every record line
//   and every Merkle node is hashed; the portable Swift implementation in the Crypto module
//   stays the reference and the fallback, and the instruction-set path is chosen at run time.
//   RFC 6962's leaf and node hashes put one byte before the hashed bytes; that byte is shifted
//   in within the registers, so a line is hashed where it lies in the log. Two lines can be
//   hashed at once, their rounds interleaved, which the instructions run faster than in turn.
// - A cache prefetch, so that the joins' table lookups for the next records are under way while
//   the current one is processed: on a large log each lookup is otherwise a cache miss. The
//   same for the order a decision names, which its execution reads a few lines later.
#ifndef STEPGUARD_CHOTPATHS_H
#define STEPGUARD_CHOTPATHS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU can run `stepguard_sha256_compress_hw`, else 0.
int stepguard_sha256_hw_available(void);

/// Compresses `blocks` 64-byte blocks at `data` into `state` (the eight FIPS 180-4 words, in
/// order). Only call it when `stepguard_sha256_hw_available()` returned 1.
void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks);

/// Writes SHA-256(`prefix` || the `length` bytes at `data`) to `digest`: an RFC 6962 leaf
/// (prefix 0) or node (prefix 1) hash, read straight from where the bytes lie, without copying
/// them behind the prefix byte. Reads nothing outside the bytes given. Only call it when
/// `stepguard_sha256_hw_available()` returned 1.
void stepguard_sha256_prefixed_hw(uint8_t prefix, const uint8_t *data, size_t length, uint8_t digest[32]);

/// `stepguard_sha256_prefixed_hw` of two messages with the same prefix at once, their rounds
/// interleaved: about 1.5 times as fast as one after the other where the instructions can
/// overlap rounds. Only call it when `stepguard_sha256_hw_available()` returned 1.
void stepguard_sha256_prefixed2_hw(uint8_t prefix, const uint8_t *data1, size_t length1, uint8_t digest1[32],
                                   const uint8_t *data2, size_t length2, uint8_t digest2[32]);

/// Asks the CPU to bring the cache line at `address` in ahead of a write. Only a hint: it
/// never faults, whatever `address` is.
static inline void stepguard_prefetch(const void *address) { __builtin_prefetch(address, 1, 3); }

/// Asks the CPU to bring the cache line at `address` in ahead of a read. Only a hint, as above.
static inline void stepguard_prefetch_read(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
