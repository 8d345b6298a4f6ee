/* SPDX-License-Identifier: MIT */
/*
 * Inside the tensor core: what mma.c (descriptors, memory, STORE), mma_float.c (the
 * FP32, FP64 and Hopper accumulators) and mma_exact.c (the exact accumulator) share.
 * Not for the rest of the device model.
 */
#ifndef EMU_MMA_INTERNAL_H
#define EMU_MMA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../uapi/s5000_float.h"
#include "mma.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MMA_X86 1
/* What the 512-bit kernels need; mma_avx512() says whether the host has it. */
#define MMA_AVX512 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq")))
#endif

/* gcc -O2 vectorises only loops without epilogues; these are worth one. */
#if defined(__clang__) || !defined(__GNUC__)
#define MMA_VECTORISE
#else
#define MMA_VECTORISE __attribute__((optimize("vect-cost-model=dynamic")))
#endif

#define MMA_M               S5000_MMA_MAX_M
#define MMA_N               S5000_MMA_MAX_N
#define MMA_K               32          /* the largest S5000_MMA_MAX_K */
#define MMA_K_BYTES         32          /* k * element size never exceeds this */
/* Rows of a tile the exact accumulator's dot products take at a time. */
#define MMA_EXACT_GROUP     8

typedef __int128 i128;
typedef unsigned __int128 u128;

/*
 * The exact accumulator: finite values fit 127 bits, -2^126 <= v < 2^126 (units of
 * 2^-48); beyond lie +-Inf, and the most negative value is NaN.
 */
#define EXACT_NAN           ((i128)((u128)1 << 127))
#define EXACT_PINF          ((i128)(~(u128)0 >> 1))
#define EXACT_NINF          (-EXACT_PINF)

enum mma_class { CLS_FINITE, CLS_NAN, CLS_PINF, CLS_NINF };

struct mma_hopper_acc {
    float partial;
    float main;
};

/*
 * The exact accumulator's operands: as floats (exact for FP8 and FP16), the span of
 * their exponents (lo: of the lowest bit a value's format can hold; hi: |v| < 2^hi)
 * per row of A and for all of B, and the sums of the rows in flight.
 */
struct mma_exact_ops {
    float a[MMA_M][MMA_K];
    float b[MMA_K][MMA_N];
    double ad[MMA_EXACT_GROUP][MMA_K];
    double bd[MMA_K][MMA_N];
    uint32_t bp[MMA_K / 2][MMA_N];      /* B's pairs of k as BF16 (FP8 only) */
    uint32_t ap[MMA_EXACT_GROUP][MMA_K / 2];
    float fsum[MMA_EXACT_GROUP][MMA_N];
    double dsum[MMA_EXACT_GROUP][MMA_N];
    int lo[MMA_M], hi[MMA_M];
    bool special[MMA_M];                /* an Inf or NaN in the row */
    int blo, bhi;
    bool bspecial;
};

/* Per calling thread, kept between MMAs (mma.c allocates it). */
struct mma_scratch {
    union {
        i128 exact[MMA_M][MMA_N];
        float f32[MMA_M][MMA_N];
        double f64[MMA_M][MMA_N];
        struct mma_hopper_acc hopper[MMA_M][MMA_N];
    } acc __attribute__((aligned(64)));
    union {
        struct {
            float a[MMA_M][MMA_K];
            float b[MMA_K][MMA_N];
        } f32;
        struct {
            double a[MMA_M][MMA_K];
            double b[MMA_K][MMA_N];
        } f64;
        struct mma_exact_ops exact;
        struct {
            uint8_t old[MMA_M][MMA_N * 8];      /* out as read (ACCUMULATE) */
            uint8_t row[MMA_N * 8];             /* one row of results */
            float scale_a[MMA_M];
            float scale_b[MMA_N / 128];
        } store;
    } t __attribute__((aligned(64)));
    uint8_t raw_a[MMA_M * MMA_K_BYTES];
    uint8_t raw_b[MMA_N * MMA_K_BYTES];
    /* Rows of A, and of B (columns with B_TRANS): in place, or in raw_a and raw_b. */
    const uint8_t *a_rows[MMA_M];
    const uint8_t *b_rows[MMA_N];
    bool b_alias;                       /* B's rows meet the accumulator's */
    /* The float kernels' operands, rows in place or in t. */
    const float *fa[MMA_M];
    const float *fb[MMA_K];
    const double *da[MMA_M];
    const double *db[MMA_K];
};

/* ------------------------------------------------------------------ mma.c */

/*
 * Whether the AVX2/FMA kernels may run (emu_mma_set_simd()), the AVX-512 ones, and
 * those with AVX-512's BF16 dot products.
 */
bool mma_simd(void);
bool mma_avx512(void);
bool mma_avx512_bf16(void);

/* count contiguous operands of a type to floats (exact, TF32 truncated). */
void mma_to_f32(unsigned type, const uint8_t *src, float *restrict dst, unsigned count);

/* Every E4M3 ([0]) and E5M2 ([1]) code's float (NaNs with all fraction bits set). */
extern float mma_fp8_f32[2][256];

#ifdef MMA_X86
/* The lanes of a sixteen-wide step at element i of count: all, the last few, or none. */
static inline __mmask16 mma_lanes16(unsigned count, unsigned i)
{
    return i >= count ? 0 : count - i >= 16 ? 0xffff : (__mmask16)((1u << (count - i)) - 1);
}

/* A table's first 128 entries (the positive codes) in eight registers. */
MMA_AVX512 static inline __attribute__((always_inline))
void mma_fp8_table(const float *lut, __m512 t[8])
{
    for (unsigned q = 0; q < 8; q++)
        t[q] = _mm512_loadu_ps(lut + 16 * q);
}

/*
 * Sixteen FP8 codes to floats: the magnitude (7 bits) picks one of the table's 128
 * entries by four two-register permutes and two blends, then the code's sign goes on
 * (a NaN keeps all its fraction bits, as the table has them).
 */
MMA_AVX512 static inline __attribute__((always_inline))
__m512 mma_fp8_decode16(const __m512 t[8], __m128i codes)
{
    __m512i c = _mm512_cvtepu8_epi32(codes);
    __m512i m = _mm512_and_si512(c, _mm512_set1_epi32(0x7f));
    __mmask16 m5 = _mm512_test_epi32_mask(m, _mm512_set1_epi32(32));
    __mmask16 m6 = _mm512_test_epi32_mask(m, _mm512_set1_epi32(64));
    __m512 lo = _mm512_mask_blend_ps(m5, _mm512_permutex2var_ps(t[0], m, t[1]),
                                     _mm512_permutex2var_ps(t[2], m, t[3]));
    __m512 hi = _mm512_mask_blend_ps(m5, _mm512_permutex2var_ps(t[4], m, t[5]),
                                     _mm512_permutex2var_ps(t[6], m, t[7]));
    __m512i v = _mm512_castps_si512(_mm512_mask_blend_ps(m6, lo, hi));
    __m512i sign = _mm512_slli_epi32(_mm512_and_si512(c, _mm512_set1_epi32(0x80)), 24);

    return _mm512_castsi512_ps(_mm512_or_si512(v, sign));
}
#endif

/* ------------------------------------------------------------ mma_float.c */

/* A and B of an MMA as float tiles (B k-major even with B_TRANS). */
void mma_operands_f32(const struct mma_scratch *s, const struct s5000_mma *d,
                      float (*a)[MMA_K], float (*b)[MMA_N]);

/*
 * acc[i][j] = fma(a[i][kk], b[kk][j], acc[i][j]) for kk = 0, 1, ..., k - 1, in that
 * order, for i < m and j < n: rows as pointers, vector kernels where the host has
 * them, the same bits either way.
 */
void mma_f32_kernel(float *const *acc, const float *const *a, const float *const *b,
                    unsigned m, unsigned n, unsigned k);
void mma_f64_kernel(double *const *acc, const double *const *a, const double *const *b,
                    unsigned m, unsigned n, unsigned k);

void mma_run_f32(struct mma_scratch *s, const struct s5000_mma *d, float *const *acc);
void mma_run_f64(struct mma_scratch *s, const struct s5000_mma *d, double *const *acc);
void mma_run_hopper(struct mma_scratch *s, const struct s5000_mma *d,
                    struct mma_hopper_acc *const *acc);

/* ------------------------------------------------------------ mma_exact.c */

void mma_run_exact(struct mma_scratch *s, const struct s5000_mma *d, i128 *const *acc);

/* Finite values fit 127 bits: the top two bits agree. */
static inline bool mma_exact_finite(i128 v)
{
    uint64_t hi = (uint64_t)((u128)v >> 64);

    return !((hi ^ (hi << 1)) >> 63);
}

static inline enum mma_class mma_exact_class(i128 v)
{
    if (mma_exact_finite(v))
        return CLS_FINITE;
    if (v == EXACT_NAN)
        return CLS_NAN;
    return v > 0 ? CLS_PINF : CLS_NINF;
}

static inline double mma_pow2(int e)
{
    return s5000_fp_bits_f64((uint64_t)(1023 + e) << 52);
}

#endif /* EMU_MMA_INTERNAL_H */
