// SHA-256 compression with the x86 SHA extensions (SHA-NI). Other architectures report the
// instructions unavailable and the caller uses the portable Swift code.
#include "CHotPaths.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

int stepguard_sha256_hw_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    // SSSE3 (byte shuffle) and SSE4.1 (blend) besides the SHA instructions themselves.
    int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}

// FIPS 180-4 §4.2.2, in the order the rounds consume them, four per instruction pair.
static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// Four rounds: sha256rnds2 does two, on the low two words of `wk` (message + constant).
#define ROUNDS4(wk)                                           \
    do {                                                      \
        __m128i t_ = (wk);                                    \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, t_);         \
        t_ = _mm_shuffle_epi32(t_, 0x0E);                     \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, t_);         \
    } while (0)

// The next four schedule words from the previous sixteen (w0 oldest ... w3 newest):
// W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16].
#define SCHEDULE(w0, w1, w2, w3) \
    _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((w0), (w1)), _mm_alignr_epi8((w3), (w2), 4)), (w3))

// One 64-byte block, given as its four 16-byte quarters as they lie in memory, into the state
// held as ABEF and CDGH.
__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void block_hw(__m128i *abef_io, __m128i *cdgh_io, __m128i m0, __m128i m1, __m128i m2, __m128i m3) {
    // Message words are big-endian.
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    const __m128i *k = (const __m128i *)round_constants;
    __m128i abef = *abef_io, cdgh = *cdgh_io;
    const __m128i abef_in = abef, cdgh_in = cdgh;
    __m128i w0 = _mm_shuffle_epi8(m0, byte_swap);
    __m128i w1 = _mm_shuffle_epi8(m1, byte_swap);
    __m128i w2 = _mm_shuffle_epi8(m2, byte_swap);
    __m128i w3 = _mm_shuffle_epi8(m3, byte_swap);
    ROUNDS4(_mm_add_epi32(w0, _mm_load_si128(k + 0)));
    ROUNDS4(_mm_add_epi32(w1, _mm_load_si128(k + 1)));
    ROUNDS4(_mm_add_epi32(w2, _mm_load_si128(k + 2)));
    ROUNDS4(_mm_add_epi32(w3, _mm_load_si128(k + 3)));
    for (int group = 4; group < 16; group += 4) {
        w0 = SCHEDULE(w0, w1, w2, w3);
        ROUNDS4(_mm_add_epi32(w0, _mm_load_si128(k + group + 0)));
        w1 = SCHEDULE(w1, w2, w3, w0);
        ROUNDS4(_mm_add_epi32(w1, _mm_load_si128(k + group + 1)));
        w2 = SCHEDULE(w2, w3, w0, w1);
        ROUNDS4(_mm_add_epi32(w2, _mm_load_si128(k + group + 2)));
        w3 = SCHEDULE(w3, w0, w1, w2);
        ROUNDS4(_mm_add_epi32(w3, _mm_load_si128(k + group + 3)));
    }
    *abef_io = _mm_add_epi32(abef, abef_in);
    *cdgh_io = _mm_add_epi32(cdgh, cdgh_in);
}

__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void blocks_hw(__m128i *abef, __m128i *cdgh, const uint8_t *data, size_t blocks) {
    for (; blocks > 0; blocks--, data += 64) {
        block_hw(abef, cdgh,
                 _mm_loadu_si128((const __m128i *)(data + 0)), _mm_loadu_si128((const __m128i *)(data + 16)),
                 _mm_loadu_si128((const __m128i *)(data + 32)), _mm_loadu_si128((const __m128i *)(data + 48)));
    }
}

// The eight state words in order (A..H) to and from the ABEF / CDGH form the instructions want
// (high lane first).
__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void state_in(const uint32_t state[8], __m128i *abef, __m128i *cdgh) {
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    *abef = _mm_alignr_epi8(cdab, efgh, 8);
    *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void state_out(__m128i abef, __m128i cdgh, __m128i *abcd, __m128i *efgh) {
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    *abcd = _mm_blend_epi16(feba, dchg, 0xF0);
    *efgh = _mm_alignr_epi8(dchg, feba, 8);
}

__attribute__((target("sha,sse4.1,ssse3")))
void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks) {
    __m128i abef, cdgh, abcd, efgh;
    state_in(state, &abef, &cdgh);
    blocks_hw(&abef, &cdgh, data, blocks);
    state_out(abef, cdgh, &abcd, &efgh);
    _mm_storeu_si128((__m128i *)&state[0], abcd);
    _mm_storeu_si128((__m128i *)&state[4], efgh);
}

// FIPS 180-4 §5.3.3.
static const uint32_t initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

__attribute__((target("sha,sse4.1,ssse3")))
void stepguard_sha256_prefixed_hw(uint8_t prefix, const uint8_t *data, size_t length, uint8_t digest[32]) {
    __m128i abef, cdgh;
    state_in(initial_state, &abef, &cdgh);
    // The padded message ends in one or two blocks built here: the bytes not yet compressed,
    // 0x80, zeros and the bit length. 16 bytes of room before them let the last bytes be
    // moved as one 16-byte load ending at the message's end, which never reads past it.
    uint8_t room[16 + 128] __attribute__((aligned(16)));
    uint8_t *tail = room + 16;
    const uint8_t *rest;
    size_t restLength;
    if (length >= 63) {
        // The first block is the prefix and the first 63 bytes, shifted into place in registers:
        // nothing is copied, and nothing before `data` is read.
        __m128i head = _mm_loadu_si128((const __m128i *)data);
        __m128i m0 = _mm_or_si128(_mm_slli_si128(head, 1), _mm_cvtsi32_si128(prefix));
        block_hw(&abef, &cdgh, m0, _mm_loadu_si128((const __m128i *)(data + 15)),
                 _mm_loadu_si128((const __m128i *)(data + 31)), _mm_loadu_si128((const __m128i *)(data + 47)));
        size_t whole = (length - 63) / 64;
        blocks_hw(&abef, &cdgh, data + 63, whole);
        rest = data + 63 + whole * 64;
        restLength = length - 63 - whole * 64;
        for (int i = 0; i < 8; i++) _mm_store_si128((__m128i *)tail + i, _mm_setzero_si128());
        size_t moved = 0;
        for (; moved + 16 <= restLength; moved += 16) {
            _mm_store_si128((__m128i *)(tail + moved), _mm_loadu_si128((const __m128i *)(rest + moved)));
        }
        if (moved < restLength) {
            // The 16 bytes ending at the message's end (the line is at least 63 bytes long):
            // the ones before `rest + moved` land on bytes already written with the same values,
            // or in the room before the tail.
            _mm_storeu_si128((__m128i *)(tail + restLength - 16), _mm_loadu_si128((const __m128i *)(rest + restLength - 16)));
        }
    } else {
        for (int i = 0; i < 8; i++) _mm_store_si128((__m128i *)tail + i, _mm_setzero_si128());
        tail[0] = prefix;
        for (size_t i = 0; i < length; i++) tail[1 + i] = data[i];
        restLength = length + 1;
    }
    tail[restLength] = 0x80;
    size_t tailBlocks = restLength + 9 <= 64 ? 1 : 2;
    uint64_t bits = ((uint64_t)length + 1) * 8;
    for (int i = 0; i < 8; i++) tail[tailBlocks * 64 - 1 - i] = (uint8_t)(bits >> (8 * i));
    blocks_hw(&abef, &cdgh, tail, tailBlocks);

    __m128i abcd, efgh;
    state_out(abef, cdgh, &abcd, &efgh);
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    _mm_storeu_si128((__m128i *)digest, _mm_shuffle_epi8(abcd, byte_swap));
    _mm_storeu_si128((__m128i *)(digest + 16), _mm_shuffle_epi8(efgh, byte_swap));
}

#else

int stepguard_sha256_hw_available(void) { return 0; }

void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

void stepguard_sha256_prefixed_hw(uint8_t prefix, const uint8_t *data, size_t length, uint8_t digest[32]) {
    (void)prefix; (void)data; (void)length; (void)digest;
}

#endif
