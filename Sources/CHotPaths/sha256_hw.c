// SHA-256 compression with the x86 SHA extensions (SHA-NI). Other architectures report the
// instructions unavailable and the caller uses the portable Swift code.
#include "CHotPaths.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

#if defined(__linux__)
#include <features.h>
#endif
// glibc 2.33 and later keep what `cpuid` said at start-up (<sys/platform/x86.h>).
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <sys/platform/x86.h>
#define STEPGUARD_GLIBC_CPU_FEATURES 1
#else
#define STEPGUARD_GLIBC_CPU_FEATURES 0
#endif

int stepguard_sha256_hw_available(void) {
#if STEPGUARD_GLIBC_CPU_FEATURES
    // glibc read the CPU's features at start-up; asking it runs no `cpuid`, an instruction that
    // traps to the hypervisor on a virtual machine (several microseconds each, in every process).
    return CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SHA);
#else
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    // SSSE3 (byte shuffle) and SSE4.1 (blend) besides the SHA instructions themselves.
    int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
#endif
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

// Two blocks of two messages at once. One message's rounds are a chain, each waiting for the
// one before; the SHA instructions can start a new round before the last one is done, so the
// rounds of a second message fill the wait (on the machine of BENCHMARKS.md 1.4 to 1.6 times the
// bytes per second of one message, for lines of 260 bytes).
__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void block2_hw(__m128i *abef1_io, __m128i *cdgh1_io, const __m128i m1[4],
                             __m128i *abef2_io, __m128i *cdgh2_io, const __m128i m2[4]) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    const __m128i *k = (const __m128i *)round_constants;
    __m128i abef = *abef1_io, cdgh = *cdgh1_io, abef2 = *abef2_io, cdgh2 = *cdgh2_io;
    const __m128i abef_in = abef, cdgh_in = cdgh, abef2_in = abef2, cdgh2_in = cdgh2;
    __m128i w0 = _mm_shuffle_epi8(m1[0], byte_swap), v0 = _mm_shuffle_epi8(m2[0], byte_swap);
    __m128i w1 = _mm_shuffle_epi8(m1[1], byte_swap), v1 = _mm_shuffle_epi8(m2[1], byte_swap);
    __m128i w2 = _mm_shuffle_epi8(m1[2], byte_swap), v2 = _mm_shuffle_epi8(m2[2], byte_swap);
    __m128i w3 = _mm_shuffle_epi8(m1[3], byte_swap), v3 = _mm_shuffle_epi8(m2[3], byte_swap);
// ROUNDS4 works on abef and cdgh: the second message's state is swapped in around its rounds.
#define ROUNDS4_BOTH(w, v, group)                                        \
    do {                                                                 \
        ROUNDS4(_mm_add_epi32((w), _mm_load_si128(k + (group))));       \
        __m128i t1_ = abef, t2_ = cdgh;                                  \
        abef = abef2, cdgh = cdgh2;                                      \
        ROUNDS4(_mm_add_epi32((v), _mm_load_si128(k + (group))));       \
        abef2 = abef, cdgh2 = cdgh, abef = t1_, cdgh = t2_;              \
    } while (0)
    ROUNDS4_BOTH(w0, v0, 0);
    ROUNDS4_BOTH(w1, v1, 1);
    ROUNDS4_BOTH(w2, v2, 2);
    ROUNDS4_BOTH(w3, v3, 3);
    for (int group = 4; group < 16; group += 4) {
        w0 = SCHEDULE(w0, w1, w2, w3), v0 = SCHEDULE(v0, v1, v2, v3);
        ROUNDS4_BOTH(w0, v0, group + 0);
        w1 = SCHEDULE(w1, w2, w3, w0), v1 = SCHEDULE(v1, v2, v3, v0);
        ROUNDS4_BOTH(w1, v1, group + 1);
        w2 = SCHEDULE(w2, w3, w0, w1), v2 = SCHEDULE(v2, v3, v0, v1);
        ROUNDS4_BOTH(w2, v2, group + 2);
        w3 = SCHEDULE(w3, w0, w1, w2), v3 = SCHEDULE(v3, v0, v1, v2);
        ROUNDS4_BOTH(w3, v3, group + 3);
    }
#undef ROUNDS4_BOTH
    *abef1_io = _mm_add_epi32(abef, abef_in);
    *cdgh1_io = _mm_add_epi32(cdgh, cdgh_in);
    *abef2_io = _mm_add_epi32(abef2, abef2_in);
    *cdgh2_io = _mm_add_epi32(cdgh2, cdgh2_in);
}

// A prefix byte and a message as the blocks SHA-256 compresses, read where the message lies.
// The first block is the prefix and the first 63 bytes, shifted into place in registers:
// nothing is copied, and nothing before the message is read. The whole blocks after it are
// read in place. The padded end (the bytes left, 0x80, zeros and the bit length: one or two
// blocks) is built in `room`; 16 bytes before it let the last bytes be moved as one 16-byte
// load ending at the message's end, which never reads past it.
typedef struct {
    const uint8_t *data;
    uint8_t prefix;
    int shifted;      // 1 when the first block is the prefix and data[0..<63]
    size_t whole;     // blocks read in place after the first
    const uint8_t *tail;
    size_t blocks;    // all of them
} prefixed_message;

__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void message_init(prefixed_message *m, uint8_t prefix, const uint8_t *data, size_t length,
                                uint8_t room[16 + 128]) {
    uint8_t *tail = room + 16;
    for (int i = 0; i < 8; i++) _mm_store_si128((__m128i *)tail + i, _mm_setzero_si128());
    size_t restLength;
    m->data = data;
    m->prefix = prefix;
    m->tail = tail;
    if (length >= 63) {
        m->shifted = 1;
        m->whole = (length - 63) / 64;
        const uint8_t *rest = data + 63 + m->whole * 64;
        restLength = length - 63 - m->whole * 64;
        size_t moved = 0;
        for (; moved + 16 <= restLength; moved += 16) {
            _mm_store_si128((__m128i *)(tail + moved), _mm_loadu_si128((const __m128i *)(rest + moved)));
        }
        if (moved < restLength) {
            // The 16 bytes ending at the message's end (it is at least 63 bytes long): the ones
            // before `rest + moved` land on bytes already written with the same values, or in
            // the room before the tail.
            _mm_storeu_si128((__m128i *)(tail + restLength - 16), _mm_loadu_si128((const __m128i *)(rest + restLength - 16)));
        }
    } else {
        m->shifted = 0;
        m->whole = 0;
        tail[0] = prefix;
        for (size_t i = 0; i < length; i++) tail[1 + i] = data[i];
        restLength = length + 1;
    }
    tail[restLength] = 0x80;
    size_t tailBlocks = restLength + 9 <= 64 ? 1 : 2;
    uint64_t bits = ((uint64_t)length + 1) * 8;
    for (int i = 0; i < 8; i++) tail[tailBlocks * 64 - 1 - i] = (uint8_t)(bits >> (8 * i));
    m->blocks = (size_t)m->shifted + m->whole + tailBlocks;
}

// Block `index` of the message, as its four 16-byte quarters.
__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void message_block(const prefixed_message *m, size_t index, __m128i out[4]) {
    if (m->shifted && index == 0) {
        __m128i head = _mm_loadu_si128((const __m128i *)m->data);
        out[0] = _mm_or_si128(_mm_slli_si128(head, 1), _mm_cvtsi32_si128(m->prefix));
        out[1] = _mm_loadu_si128((const __m128i *)(m->data + 15));
        out[2] = _mm_loadu_si128((const __m128i *)(m->data + 31));
        out[3] = _mm_loadu_si128((const __m128i *)(m->data + 47));
        return;
    }
    size_t j = index - (size_t)m->shifted;
    const uint8_t *p = j < m->whole ? m->data + 63 + j * 64 : m->tail + (j - m->whole) * 64;
    for (int q = 0; q < 4; q++) out[q] = _mm_loadu_si128((const __m128i *)(p + 16 * q));
}

__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void digest_out(__m128i abef, __m128i cdgh, uint8_t digest[32]) {
    __m128i abcd, efgh;
    state_out(abef, cdgh, &abcd, &efgh);
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    _mm_storeu_si128((__m128i *)digest, _mm_shuffle_epi8(abcd, byte_swap));
    _mm_storeu_si128((__m128i *)(digest + 16), _mm_shuffle_epi8(efgh, byte_swap));
}

// The blocks of `m` from `from` on.
__attribute__((target("sha,sse4.1,ssse3"), always_inline))
static inline void message_finish(const prefixed_message *m, size_t from, __m128i *abef, __m128i *cdgh) {
    for (size_t index = from; index < m->blocks; index++) {
        __m128i q[4];
        message_block(m, index, q);
        block_hw(abef, cdgh, q[0], q[1], q[2], q[3]);
    }
}

__attribute__((target("sha,sse4.1,ssse3")))
void stepguard_sha256_prefixed_hw(uint8_t prefix, const uint8_t *data, size_t length, uint8_t digest[32]) {
    uint8_t room[16 + 128] __attribute__((aligned(16)));
    prefixed_message m;
    message_init(&m, prefix, data, length, room);
    __m128i abef, cdgh;
    state_in(initial_state, &abef, &cdgh);
    message_finish(&m, 0, &abef, &cdgh);
    digest_out(abef, cdgh, digest);
}

__attribute__((target("sha,sse4.1,ssse3")))
void stepguard_sha256_prefixed2_hw(uint8_t prefix, const uint8_t *data1, size_t length1, uint8_t digest1[32],
                                   const uint8_t *data2, size_t length2, uint8_t digest2[32]) {
    uint8_t room1[16 + 128] __attribute__((aligned(16)));
    uint8_t room2[16 + 128] __attribute__((aligned(16)));
    prefixed_message m1, m2;
    message_init(&m1, prefix, data1, length1, room1);
    message_init(&m2, prefix, data2, length2, room2);
    __m128i abef1, cdgh1, abef2, cdgh2;
    state_in(initial_state, &abef1, &cdgh1);
    abef2 = abef1, cdgh2 = cdgh1;
    size_t common = m1.blocks < m2.blocks ? m1.blocks : m2.blocks;
    for (size_t index = 0; index < common; index++) {
        __m128i q1[4], q2[4];
        message_block(&m1, index, q1);
        message_block(&m2, index, q2);
        block2_hw(&abef1, &cdgh1, q1, &abef2, &cdgh2, q2);
    }
    message_finish(&m1, common, &abef1, &cdgh1);
    message_finish(&m2, common, &abef2, &cdgh2);
    digest_out(abef1, cdgh1, digest1);
    digest_out(abef2, cdgh2, digest2);
}

#else

int stepguard_sha256_hw_available(void) { return 0; }

void stepguard_sha256_compress_hw(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;
}

void stepguard_sha256_prefixed_hw(uint8_t prefix, const uint8_t *data, size_t length, uint8_t digest[32]) {
    (void)prefix; (void)data; (void)length; (void)digest;
}

void stepguard_sha256_prefixed2_hw(uint8_t prefix, const uint8_t *data1, size_t length1, uint8_t digest1[32],
                                   const uint8_t *data2, size_t length2, uint8_t digest2[32]) {
    (void)prefix; (void)data1; (void)length1; (void)digest1; (void)data2; (void)length2; (void)digest2;
}

#endif
