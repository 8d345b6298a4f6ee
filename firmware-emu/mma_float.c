// SPDX-License-Identifier: MIT
/*
 * The tensor core's floating-point accumulators (uapi/s5000-mma.md, "F32 and F64",
 * "HOPPER"): operands as float (double) tiles, and kernels that compute every element
 * in k order with one fused multiply-add per step. The vector kernels (AVX2/FMA and
 * AVX-512, picked at run time) keep blocks of the accumulator in registers over k
 * and agree with the portable loops to the bit. The exact accumulator runs its dot
 * products on the same kernels where they provably round nothing (mma_exact.c).
 */
#include <math.h>
#include <string.h>

#include "mma_internal.h"

/* ------------------------------------------------------------- operands */

void mma_operands_f32(const struct mma_scratch *s, const struct s5000_mma *d,
                      float (*a)[MMA_K], float (*b)[MMA_N])
{
    float col[MMA_K];

    for (unsigned i = 0; i < d->m; i++)
        mma_to_f32(d->a_type, s->a_rows[i], a[i], d->k);
    if (!(d->flags & S5000_MMA_B_TRANS)) {
        for (unsigned kk = 0; kk < d->k; kk++)
            mma_to_f32(d->b_type, s->b_rows[kk], b[kk], d->n);
        return;
    }
    for (unsigned j = 0; j < d->n; j++) {
        mma_to_f32(d->b_type, s->b_rows[j], col, d->k);
        for (unsigned kk = 0; kk < d->k; kk++)
            b[kk][j] = col[kk];
    }
}

/*
 * Rows of B the kernels may read where they are: k-major, of the kernel's type,
 * aligned, and apart from the accumulator they update (all reads come first).
 */
static bool mma_b_as_is(const struct mma_scratch *s, const struct s5000_mma *d, unsigned type,
                        size_t align)
{
    if ((d->flags & S5000_MMA_B_TRANS) || d->b_type != type || s->b_alias)
        return false;
    for (unsigned kk = 0; kk < d->k; kk++)
        if ((uintptr_t)s->b_rows[kk] % align)
            return false;
    return true;
}

/*
 * fa and fb for the FP32 accumulator: B's rows in place where they are FP32 already,
 * the rest converted into t.f32. A is always copied: its short rows, one per page,
 * would cost the kernels more in cache and TLB misses than the copy.
 */
static void mma_operand_rows_f32(struct mma_scratch *s, const struct s5000_mma *d)
{
    bool b_as_is = mma_b_as_is(s, d, S5000_MMA_F32, sizeof(float));

    for (unsigned i = 0; i < d->m; i++) {
        mma_to_f32(d->a_type, s->a_rows[i], s->t.f32.a[i], d->k);
        s->fa[i] = s->t.f32.a[i];
    }
    for (unsigned kk = 0; kk < d->k; kk++)
        s->fb[kk] = b_as_is ? (const float *)s->b_rows[kk] : s->t.f32.b[kk];
    if (b_as_is)
        return;
    if (!(d->flags & S5000_MMA_B_TRANS)) {
        for (unsigned kk = 0; kk < d->k; kk++)
            mma_to_f32(d->b_type, s->b_rows[kk], s->t.f32.b[kk], d->n);
        return;
    }
    for (unsigned j = 0; j < d->n; j++) {
        float col[MMA_K];

        mma_to_f32(d->b_type, s->b_rows[j], col, d->k);
        for (unsigned kk = 0; kk < d->k; kk++)
            s->t.f32.b[kk][j] = col[kk];
    }
}

/* da and db for the FP64 accumulator, likewise. */
static void mma_operand_rows_f64(struct mma_scratch *s, const struct s5000_mma *d)
{
    bool b_as_is = mma_b_as_is(s, d, S5000_MMA_F64, sizeof(double));

    for (unsigned i = 0; i < d->m; i++) {
        memcpy(s->t.f64.a[i], s->a_rows[i], d->k * sizeof(double));
        s->da[i] = s->t.f64.a[i];
    }
    for (unsigned kk = 0; kk < d->k; kk++)
        s->db[kk] = b_as_is ? (const double *)s->b_rows[kk] : s->t.f64.b[kk];
    if (b_as_is)
        return;
    for (unsigned r = 0; r < (d->flags & S5000_MMA_B_TRANS ? d->n : d->k); r++) {
        const uint8_t *row = s->b_rows[r];

        if (!(d->flags & S5000_MMA_B_TRANS)) {
            memcpy(s->t.f64.b[r], row, d->n * sizeof(double));
            continue;
        }
        for (unsigned kk = 0; kk < d->k; kk++)
            memcpy(&s->t.f64.b[kk][r], row + kk * sizeof(double), sizeof(double));
    }
}

/* ------------------------------------------------------ FP32 accumulator */

/* Every element in k order, one fused multiply-add per step. */
static void mma_f32_generic(float *const *acc, const float *const *a, const float *const *b,
                            unsigned m, unsigned n, unsigned k)
{
    for (unsigned i = 0; i < m; i++)
        for (unsigned kk = 0; kk < k; kk++) {
            float av = a[i][kk], *row = acc[i];

            for (unsigned j = 0; j < n; j++)
                row[j] = fmaf(av, b[kk][j], row[j]);
        }
}

#ifdef MMA_X86
/* 4 x 16 accumulators stay in registers for the whole k loop. */
__attribute__((target("avx2,fma")))
static void mma_f32_block4(float *const *acc, const float *const *a, const float *const *b,
                           unsigned j, unsigned k)
{
    float *r0 = acc[0] + j, *r1 = acc[1] + j, *r2 = acc[2] + j, *r3 = acc[3] + j;
    __m256 c00 = _mm256_loadu_ps(r0), c01 = _mm256_loadu_ps(r0 + 8);
    __m256 c10 = _mm256_loadu_ps(r1), c11 = _mm256_loadu_ps(r1 + 8);
    __m256 c20 = _mm256_loadu_ps(r2), c21 = _mm256_loadu_ps(r2 + 8);
    __m256 c30 = _mm256_loadu_ps(r3), c31 = _mm256_loadu_ps(r3 + 8);

    for (unsigned kk = 0; kk < k; kk++) {
        __m256 b0 = _mm256_loadu_ps(b[kk] + j), b1 = _mm256_loadu_ps(b[kk] + j + 8);
        __m256 a0 = _mm256_broadcast_ss(&a[0][kk]), a1 = _mm256_broadcast_ss(&a[1][kk]);
        __m256 a2 = _mm256_broadcast_ss(&a[2][kk]), a3 = _mm256_broadcast_ss(&a[3][kk]);

        c00 = _mm256_fmadd_ps(a0, b0, c00);
        c01 = _mm256_fmadd_ps(a0, b1, c01);
        c10 = _mm256_fmadd_ps(a1, b0, c10);
        c11 = _mm256_fmadd_ps(a1, b1, c11);
        c20 = _mm256_fmadd_ps(a2, b0, c20);
        c21 = _mm256_fmadd_ps(a2, b1, c21);
        c30 = _mm256_fmadd_ps(a3, b0, c30);
        c31 = _mm256_fmadd_ps(a3, b1, c31);
    }
    _mm256_storeu_ps(r0, c00);
    _mm256_storeu_ps(r0 + 8, c01);
    _mm256_storeu_ps(r1, c10);
    _mm256_storeu_ps(r1 + 8, c11);
    _mm256_storeu_ps(r2, c20);
    _mm256_storeu_ps(r2 + 8, c21);
    _mm256_storeu_ps(r3, c30);
    _mm256_storeu_ps(r3 + 8, c31);
}

__attribute__((target("avx2,fma")))
static void mma_f32_block1(float *acc, const float *a, const float *const *b, unsigned j,
                           unsigned k)
{
    __m256 c0 = _mm256_loadu_ps(acc + j), c1 = _mm256_loadu_ps(acc + j + 8);

    for (unsigned kk = 0; kk < k; kk++) {
        __m256 av = _mm256_broadcast_ss(&a[kk]);

        c0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(b[kk] + j), c0);
        c1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(b[kk] + j + 8), c1);
    }
    _mm256_storeu_ps(acc + j, c0);
    _mm256_storeu_ps(acc + j + 8, c1);
}

__attribute__((target("avx2,fma")))
static void mma_f32_avx2(float *const *acc, const float *const *a, const float *const *b,
                         unsigned m, unsigned n, unsigned k)
{
    unsigned n16 = n & ~15u, i = 0;

    for (; i + 4 <= m; i += 4)
        for (unsigned j = 0; j < n16; j += 16)
            mma_f32_block4(acc + i, a + i, b, j, k);
    for (; i < m; i++)
        for (unsigned j = 0; j < n16; j += 16)
            mma_f32_block1(acc[i], a[i], b, j, k);
    for (i = 0; i < m && n16 < n; i++)
        for (unsigned kk = 0; kk < k; kk++)
            for (unsigned j = n16; j < n; j++)
                acc[i][j] = fmaf(a[i][kk], b[kk][j], acc[i][j]);
}

/*
 * rows x 64 accumulators in registers for the whole k loop (rows 6 at most: 24 of
 * the 32 registers), so that each k step loads four vectors of B and rows values of
 * A for 4 * rows fused multiply-adds; the masks say which of the 64 columns exist.
 */
MMA_AVX512 static inline __attribute__((always_inline))
void mma_f32_block_512(float *const *acc, const float *const *a, const float *const *b,
                       unsigned rows, unsigned j, unsigned k, const __mmask16 *m)
{
    __m512 c[6][4];

#pragma GCC unroll 6
    for (unsigned r = 0; r < rows; r++)
#pragma GCC unroll 4
        for (unsigned v = 0; v < 4; v++)
            c[r][v] = _mm512_maskz_loadu_ps(m[v], acc[r] + j + 16 * v);
    for (unsigned kk = 0; kk < k; kk++) {
        __m512 bv[4];

#pragma GCC unroll 4
        for (unsigned v = 0; v < 4; v++)
            bv[v] = _mm512_maskz_loadu_ps(m[v], b[kk] + j + 16 * v);
#pragma GCC unroll 6
        for (unsigned r = 0; r < rows; r++) {
            __m512 av = _mm512_set1_ps(a[r][kk]);

#pragma GCC unroll 4
            for (unsigned v = 0; v < 4; v++)
                c[r][v] = _mm512_fmadd_ps(av, bv[v], c[r][v]);
        }
    }
#pragma GCC unroll 6
    for (unsigned r = 0; r < rows; r++)
#pragma GCC unroll 4
        for (unsigned v = 0; v < 4; v++)
            _mm512_mask_storeu_ps(acc[r] + j + 16 * v, m[v], c[r][v]);
}

MMA_AVX512
static void mma_f32_avx512(float *const *acc, const float *const *a, const float *const *b,
                           unsigned m, unsigned n, unsigned k)
{
    for (unsigned j = 0; j < n; j += 64) {
        __mmask16 mask[4];
        unsigned i = 0;

        for (unsigned v = 0; v < 4; v++)
            mask[v] = mma_lanes16(n, j + 16 * v);
        for (; i + 6 <= m; i += 6)
            mma_f32_block_512(acc + i, a + i, b, 6, j, k, mask);
        for (; i + 2 <= m; i += 2)
            mma_f32_block_512(acc + i, a + i, b, 2, j, k, mask);
        for (; i < m; i++)
            mma_f32_block_512(acc + i, a + i, b, 1, j, k, mask);
    }
}
#endif

void mma_f32_kernel(float *const *acc, const float *const *a, const float *const *b,
                    unsigned m, unsigned n, unsigned k)
{
#ifdef MMA_X86
    if (mma_avx512()) {
        mma_f32_avx512(acc, a, b, m, n, k);
        return;
    }
    if (mma_simd()) {
        mma_f32_avx2(acc, a, b, m, n, k);
        return;
    }
#endif
    mma_f32_generic(acc, a, b, m, n, k);
}

void mma_run_f32(struct mma_scratch *s, const struct s5000_mma *d, float *const *acc)
{
    mma_operand_rows_f32(s, d);
    mma_f32_kernel(acc, s->fa, s->fb, d->m, d->n, d->k);
}

/* ------------------------------------------------------ FP64 accumulator */

static void mma_f64_generic(double *const *acc, const double *const *a, const double *const *b,
                            unsigned m, unsigned n, unsigned k)
{
    for (unsigned i = 0; i < m; i++)
        for (unsigned kk = 0; kk < k; kk++) {
            double av = a[i][kk], *row = acc[i];

            for (unsigned j = 0; j < n; j++)
                row[j] = fma(av, b[kk][j], row[j]);
        }
}

#ifdef MMA_X86
/* 4 x 8 accumulators in registers over k. */
__attribute__((target("avx2,fma")))
static void mma_f64_block4(double *const *acc, const double *const *a, const double *const *b,
                           unsigned j, unsigned k)
{
    __m256d c[4][2];

#pragma GCC unroll 4
    for (unsigned r = 0; r < 4; r++) {
        c[r][0] = _mm256_loadu_pd(acc[r] + j);
        c[r][1] = _mm256_loadu_pd(acc[r] + j + 4);
    }
    for (unsigned kk = 0; kk < k; kk++) {
        __m256d b0 = _mm256_loadu_pd(b[kk] + j), b1 = _mm256_loadu_pd(b[kk] + j + 4);

#pragma GCC unroll 4
        for (unsigned r = 0; r < 4; r++) {
            __m256d av = _mm256_broadcast_sd(&a[r][kk]);

            c[r][0] = _mm256_fmadd_pd(av, b0, c[r][0]);
            c[r][1] = _mm256_fmadd_pd(av, b1, c[r][1]);
        }
    }
#pragma GCC unroll 4
    for (unsigned r = 0; r < 4; r++) {
        _mm256_storeu_pd(acc[r] + j, c[r][0]);
        _mm256_storeu_pd(acc[r] + j + 4, c[r][1]);
    }
}

__attribute__((target("avx2,fma")))
static void mma_f64_avx2(double *const *acc, const double *const *a, const double *const *b,
                         unsigned m, unsigned n, unsigned k)
{
    unsigned n8 = n & ~7u, i = 0;

    for (; i + 4 <= m; i += 4)
        for (unsigned j = 0; j < n8; j += 8)
            mma_f64_block4(acc + i, a + i, b, j, k);
    for (; i < m; i++)
        for (unsigned kk = 0; kk < k; kk++)
            for (unsigned j = 0; j < n8; j++)
                acc[i][j] = fma(a[i][kk], b[kk][j], acc[i][j]);
    for (i = 0; i < m && n8 < n; i++)
        for (unsigned kk = 0; kk < k; kk++)
            for (unsigned j = n8; j < n; j++)
                acc[i][j] = fma(a[i][kk], b[kk][j], acc[i][j]);
}

/* mma_f32_block_512() for doubles: rows (6 at most) x 32. */
MMA_AVX512 static inline __attribute__((always_inline))
void mma_f64_block_512(double *const *acc, const double *const *a, const double *const *b,
                       unsigned rows, unsigned j, unsigned k, const __mmask8 *m)
{
    __m512d c[6][4];

#pragma GCC unroll 6
    for (unsigned r = 0; r < rows; r++)
#pragma GCC unroll 4
        for (unsigned v = 0; v < 4; v++)
            c[r][v] = _mm512_maskz_loadu_pd(m[v], acc[r] + j + 8 * v);
    for (unsigned kk = 0; kk < k; kk++) {
        __m512d bv[4];

#pragma GCC unroll 4
        for (unsigned v = 0; v < 4; v++)
            bv[v] = _mm512_maskz_loadu_pd(m[v], b[kk] + j + 8 * v);
#pragma GCC unroll 6
        for (unsigned r = 0; r < rows; r++) {
            __m512d av = _mm512_set1_pd(a[r][kk]);

#pragma GCC unroll 4
            for (unsigned v = 0; v < 4; v++)
                c[r][v] = _mm512_fmadd_pd(av, bv[v], c[r][v]);
        }
    }
#pragma GCC unroll 6
    for (unsigned r = 0; r < rows; r++)
#pragma GCC unroll 4
        for (unsigned v = 0; v < 4; v++)
            _mm512_mask_storeu_pd(acc[r] + j + 8 * v, m[v], c[r][v]);
}

MMA_AVX512
static void mma_f64_avx512(double *const *acc, const double *const *a, const double *const *b,
                           unsigned m, unsigned n, unsigned k)
{
    for (unsigned j = 0; j < n; j += 32) {
        __mmask8 mask[4];
        unsigned i = 0;

        /* Eight-wide steps: the low half of the sixteen-wide lanes. */
        for (unsigned v = 0; v < 4; v++)
            mask[v] = (__mmask8)mma_lanes16(n, j + 8 * v);
        for (; i + 6 <= m; i += 6)
            mma_f64_block_512(acc + i, a + i, b, 6, j, k, mask);
        for (; i + 2 <= m; i += 2)
            mma_f64_block_512(acc + i, a + i, b, 2, j, k, mask);
        for (; i < m; i++)
            mma_f64_block_512(acc + i, a + i, b, 1, j, k, mask);
    }
}
#endif

void mma_f64_kernel(double *const *acc, const double *const *a, const double *const *b,
                    unsigned m, unsigned n, unsigned k)
{
#ifdef MMA_X86
    if (mma_avx512()) {
        mma_f64_avx512(acc, a, b, m, n, k);
        return;
    }
    if (mma_simd()) {
        mma_f64_avx2(acc, a, b, m, n, k);
        return;
    }
#endif
    mma_f64_generic(acc, a, b, m, n, k);
}

void mma_run_f64(struct mma_scratch *s, const struct s5000_mma *d, double *const *acc)
{
    mma_operand_rows_f64(s, d);
    mma_f64_kernel(acc, s->da, s->db, d->m, d->n, d->k);
}

/* -------------------------------------------------- Hopper accumulator */

/* Exponents at or above this mark an Inf or NaN term. */
#define HOPPER_SPECIAL      128
/* Below every nonzero float: what an all-zero sum aligns to. */
#define HOPPER_NONE         (-160)

/* Exponent of the leading bit of a float, subnormals included. */
static int mma_lead_exp(float f)
{
    uint32_t u = s5000_fp_f32_bits(f) & 0x7fffffff;

    if (u >= 0x7f800000)
        return HOPPER_SPECIAL;
    if (u >= 0x00800000)
        return (int)(u >> 23) - 127;
    return u ? -149 + 31 - __builtin_clz(u) : HOPPER_NONE;
}

/* A product of FP8 values is zero or a normal float; branch-free, to vectorise. */
static inline int mma_product_exp(float p)
{
    int field = (s5000_fp_f32_bits(p) >> 23) & 0xff;

    return field - 127 + (HOPPER_NONE + 127) * (field == 0);
}

struct mma_hopper_row {
    int emax[MMA_N];
    double unit[MMA_N];                 /* 2^-(emax - bits) */
    double sum[MMA_N];                  /* in those units */
};

/* Toward zero, or toward -Inf with floor_mode; branch-free. */
static inline double mma_hopper_cut(double v, bool floor_mode)
{
    double t = trunc(v);

    return t - (double)(floor_mode & (v < t));
}

/*
 * One row: align the k products and the partial sum to the largest exponent among
 * them, cut each to bits bits below it, add exactly (33 terms below 2^32 units each,
 * with at most S5000_MMA_HOPPER_BITS_MAX bits: exact in double), round once.
 */
static inline __attribute__((always_inline))
void mma_hopper_row_body(struct mma_hopper_row *h, struct mma_hopper_acc *acc,
                         const float *arow, const float (*b)[MMA_N], unsigned n, unsigned k,
                         int bits, bool floor_mode)
{
    for (unsigned j = 0; j < n; j++)
        h->emax[j] = mma_lead_exp(acc[j].partial);
    for (unsigned kk = 0; kk < k; kk++)
        for (unsigned j = 0; j < n; j++) {
            int e = mma_product_exp(arow[kk] * b[kk][j]);

            h->emax[j] = e > h->emax[j] ? e : h->emax[j];
        }
    for (unsigned j = 0; j < n; j++) {
        int emax = h->emax[j] < HOPPER_SPECIAL ? h->emax[j] : 0;

        h->unit[j] = mma_pow2(bits - emax);
        h->sum[j] = mma_hopper_cut((double)acc[j].partial * h->unit[j], floor_mode);
    }
    for (unsigned kk = 0; kk < k; kk++)
        for (unsigned j = 0; j < n; j++)
            h->sum[j] += mma_hopper_cut((double)(arow[kk] * b[kk][j]) * h->unit[j],
                                        floor_mode);
    for (unsigned j = 0; j < n; j++) {
        float r = acc[j].partial;

        if (h->emax[j] < HOPPER_SPECIAL) {
            acc[j].partial = (float)(h->sum[j] * mma_pow2(h->emax[j] - bits));
            continue;
        }
        /* An Inf or NaN term: IEEE addition gives the right Inf or NaN. */
        for (unsigned kk = 0; kk < k; kk++)
            r += arow[kk] * b[kk][j];
        acc[j].partial = r;
    }
}

MMA_VECTORISE
static void mma_hopper_row_generic(struct mma_hopper_row *h, struct mma_hopper_acc *acc,
                                   const float *arow, const float (*b)[MMA_N], unsigned n,
                                   unsigned k, int bits, bool floor_mode)
{
    mma_hopper_row_body(h, acc, arow, b, n, k, bits, floor_mode);
}

#ifdef MMA_X86
__attribute__((target("avx2"))) MMA_VECTORISE
static void mma_hopper_row_avx2(struct mma_hopper_row *h, struct mma_hopper_acc *acc,
                                const float *arow, const float (*b)[MMA_N], unsigned n,
                                unsigned k, int bits, bool floor_mode)
{
    mma_hopper_row_body(h, acc, arow, b, n, k, bits, floor_mode);
}
#endif

static void mma_hopper_row(struct mma_hopper_row *h, struct mma_hopper_acc *acc,
                           const float *arow, const float (*b)[MMA_N], unsigned n, unsigned k,
                           int bits, bool floor_mode)
{
#ifdef MMA_X86
    if (mma_simd()) {
        mma_hopper_row_avx2(h, acc, arow, b, n, k, bits, floor_mode);
        return;
    }
#endif
    mma_hopper_row_generic(h, acc, arow, b, n, k, bits, floor_mode);
}

void mma_run_hopper(struct mma_scratch *s, const struct s5000_mma *d,
                    struct mma_hopper_acc *const *rows)
{
    struct mma_hopper_row h;
    bool floor_mode = d->flags & S5000_MMA_FLOOR;

    mma_operands_f32(s, d, s->t.f32.a, s->t.f32.b);
    for (unsigned i = 0; i < d->m; i++) {
        struct mma_hopper_acc *acc = rows[i];

        mma_hopper_row(&h, acc, s->t.f32.a[i], s->t.f32.b, d->n, d->k, d->hopper_bits,
                       floor_mode);
        if (!(d->flags & S5000_MMA_PROMOTE))
            continue;
        for (unsigned j = 0; j < d->n; j++) {
            acc[j].main += acc[j].partial;
            acc[j].partial = 0;
        }
    }
}
