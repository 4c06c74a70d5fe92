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

__attribute__((target("sha,sse4.1,ssse3")))
void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks) {
    // Message words are big-endian.
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    const __m128i *k = (const __m128i *)round_constants;

    // The instructions want the state as ABEF and CDGH (high lane first).
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    for (; blocks > 0; blocks--, data += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byte_swap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byte_swap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byte_swap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byte_swap);
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
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }

    // Back to A..H order.
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

#else

int stepguard_sha256_hw_available(void) { return 0; }

void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

#endif
