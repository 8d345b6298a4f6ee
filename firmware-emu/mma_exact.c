// SPDX-License-Identifier: MIT
/*
 * The exact accumulator (uapi/s5000-mma.md, "EXACT"): 128-bit fixed point in units of
 * 2^-48, to which every MMA adds the exact sums of its products of FP8 or FP16 values.
 *
 * The operands are read as floats, which holds them exactly, with the span of their
 * exponents: per row of A and for all of B, the lowest bit their formats can give a
 * value (lo) and a bound on the magnitudes (|v| < 2^hi). Every product of a row with
 * B is then a multiple of 2^(lo_a + lo_b), and every partial sum of k of them is below
 * 2^(hi_a + hi_b + ceil(log2 k)). When that spans at most 24 bits, the FP32 kernels of
 * mma_float.c (for FP8, AVX-512's BF16 dot products, where the host has them) compute
 * the row's dot products without a single rounding (53 bits: the FP64 ones), so their
 * sums are the exact integers to add, 128 bits wide, eight at a time where the host
 * has AVX-512. Rows with wider spans, Inf or NaN are added term by term in 128 bits.
 */
#include <math.h>
#include <string.h>

#include "mma_internal.h"

/* A span over no nonzero value yet. */
#define SPAN_EMPTY_LO       1000
#define SPAN_EMPTY_HI       (-1000)

/* Fraction bits of an operand type, and the exponent of its smallest subnormal. */
struct mma_exact_fmt {
    int mbits, lsb_min;
};

static struct mma_exact_fmt mma_exact_fmt(unsigned type)
{
    switch (type) {
    case S5000_MMA_E4M3:
        return (struct mma_exact_fmt){ 3, -9 };
    case S5000_MMA_E5M2:
        return (struct mma_exact_fmt){ 2, -16 };
    default:
        return (struct mma_exact_fmt){ 10, -24 };
    }
}

static int mma_bitlen(uint32_t v)
{
    return v ? 32 - __builtin_clz(v) : 0;
}

/* ------------------------------------------------------------- 128 bits */

static i128 mma_exact_code(enum mma_class cls)
{
    return cls == CLS_NAN ? EXACT_NAN : cls == CLS_PINF ? EXACT_PINF : EXACT_NINF;
}

/* Sum of classes: NaN absorbs, Inf absorbs finite, opposite infinities give NaN. */
static enum mma_class mma_class_add(enum mma_class x, enum mma_class y)
{
    if (x == CLS_FINITE)
        return y;
    if (y == CLS_FINITE || x == y)
        return x;
    return CLS_NAN;
}

/* A finite accumulator plus an exact finite sum; past the finite range, +-Inf. */
static i128 mma_exact_add(i128 acc, i128 sum)
{
    i128 v = acc + sum;         /* |acc| <= 2^126, |sum| < 2^92: no wrap */

    if (mma_exact_finite(v))
        return v;
    return v > 0 ? EXACT_PINF : EXACT_NINF;
}

static i128 mma_shl(int64_t v, int shift)
{
    return (i128)((u128)(i128)v << shift);
}

/* A product of two FP8 or FP16 values (exact in double, a multiple of 2^-48) in units. */
static i128 mma_units(double p)
{
    uint64_t u = s5000_fp_f64_bits(p);
    int biased = (int)((u >> 52) & 0x7ff), shift = biased - 1075 + S5000_MMA_EXACT_FRAC;
    uint64_t mag = (u & 0xfffffffffffffull) | (biased ? 1ull << 52 : 0);
    u128 v = shift >= 0 ? (u128)mag << shift : (u128)(mag >> -shift);

    return u >> 63 ? -(i128)v : (i128)v;
}

/* One element term by term: any spread of exponents, Inf and NaN (IEEE products). */
static i128 mma_exact_element(const struct mma_exact_ops *x, unsigned i, unsigned j,
                              unsigned k, i128 acc)
{
    enum mma_class cls = mma_exact_class(acc);
    i128 sum = 0;

    for (unsigned kk = 0; kk < k; kk++) {
        double p = (double)x->a[i][kk] * x->b[kk][j];

        if (isnan(p))
            cls = CLS_NAN;
        else if (isinf(p))
            cls = mma_class_add(cls, p > 0 ? CLS_PINF : CLS_NINF);
        else if (p != 0)
            sum += mma_units(p);
    }
    return cls ? mma_exact_code(cls) : mma_exact_add(acc, sum);
}

/*
 * Exact sums of a row, as floats or doubles (one of the two non-NULL): their values
 * times 2^-unit are the integers the accumulator adds, shifted to units of 2^-48.
 */
struct mma_exact_sums {
    const float *f;
    const double *d;
    int unit;
};

static int64_t mma_exact_sum(struct mma_exact_sums s, unsigned j, double scale)
{
    return (int64_t)((s.f ? (double)s.f[j] : s.d[j]) * scale);
}

/* acc[j] += sum[j]; an Inf or NaN accumulator keeps its class. */
static void mma_exact_accumulate_generic(i128 *acc, struct mma_exact_sums s, unsigned j0,
                                         unsigned n)
{
    double scale = mma_pow2(-s.unit);
    int shift = s.unit + S5000_MMA_EXACT_FRAC;

    for (unsigned j = j0; j < n; j++)
        acc[j] = mma_exact_finite(acc[j]) ?
                 mma_exact_add(acc[j], mma_shl(mma_exact_sum(s, j, scale), shift)) :
                 mma_exact_code(mma_exact_class(acc[j]));
}

#ifdef MMA_X86
/*
 * Eight accumulators at acc, whose units (sign-extended sums times 2^-unit) are u:
 * their low and high words are gathered into one vector each, added to, and put back
 * in place; false, having changed nothing, if a result lies outside +-2^125. A result
 * within +-2^125 was made from a finite accumulator (an Inf or NaN one is 2^126 or
 * more from any value the addend, below 2^92, reaches) and is finite.
 */
MMA_AVX512 static inline __attribute__((always_inline))
bool mma_exact_add8(i128 *acc, __m512i u, int shift)
{
    const __m512i even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    const __m512i first = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i second = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    __m512i v0 = _mm512_loadu_si512(acc), v1 = _mm512_loadu_si512(acc + 4);
    __m512i lo = _mm512_permutex2var_epi64(v0, even, v1);
    __m512i hi = _mm512_permutex2var_epi64(v0, odd, v1);
    __m512i add_hi = shift < 64 ? _mm512_srav_epi64(u, _mm512_set1_epi64(64 - shift)) :
                                  _mm512_sllv_epi64(u, _mm512_set1_epi64(shift - 64));
    __m512i lo2 = _mm512_add_epi64(lo, _mm512_sllv_epi64(u, _mm512_set1_epi64(shift)));
    __mmask8 carry = _mm512_cmplt_epu64_mask(lo2, lo);
    __m512i hi2 = _mm512_mask_add_epi64(_mm512_add_epi64(hi, add_hi), carry,
                                        _mm512_add_epi64(hi, add_hi), _mm512_set1_epi64(1));

    if (_mm512_cmplt_epu64_mask(_mm512_add_epi64(hi2, _mm512_set1_epi64(1ll << 61)),
                                _mm512_set1_epi64(1ll << 62)) != 0xff)
        return false;
    _mm512_storeu_si512(acc, _mm512_permutex2var_epi64(lo2, first, hi2));
    _mm512_storeu_si512(acc + 4, _mm512_permutex2var_epi64(lo2, second, hi2));
    return true;
}

/* Sixteen accumulators at a time: the sums to integers, then two mma_exact_add8(). */
MMA_AVX512
static void mma_exact_accumulate_avx512(i128 *acc, struct mma_exact_sums s, unsigned n)
{
    int shift = s.unit + S5000_MMA_EXACT_FRAC;
    const __m512 fscale = _mm512_set1_ps((float)mma_pow2(-s.unit));
    const __m512d dscale = _mm512_set1_pd(mma_pow2(-s.unit));
    unsigned j = 0;

    for (; j + 16 <= n; j += 16) {
        __m512i u0, u1, u32;

        if (s.f) {
            /* Integers below 2^24: exact in float, and in int32. */
            u32 = _mm512_cvttps_epi32(_mm512_mul_ps(_mm512_loadu_ps(s.f + j), fscale));
            u0 = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(u32));
            u1 = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(u32, 1));
        } else {
            u0 = _mm512_cvttpd_epi64(_mm512_mul_pd(_mm512_loadu_pd(s.d + j), dscale));
            u1 = _mm512_cvttpd_epi64(_mm512_mul_pd(_mm512_loadu_pd(s.d + j + 8), dscale));
        }
        if (!mma_exact_add8(acc + j, u0, shift))
            mma_exact_accumulate_generic(acc, s, j, j + 8);
        if (!mma_exact_add8(acc + j + 8, u1, shift))
            mma_exact_accumulate_generic(acc, s, j + 8, j + 16);
    }
    mma_exact_accumulate_generic(acc, s, j, n);
}
#endif

static void mma_exact_accumulate(i128 *acc, struct mma_exact_sums s, unsigned n)
{
#ifdef MMA_X86
    if (mma_avx512()) {
        mma_exact_accumulate_avx512(acc, s, n);
        return;
    }
#endif
    mma_exact_accumulate_generic(acc, s, 0, n);
}

/* ---------------------------------------------------------------- spans */

/* Widens [*lo, *hi] by count floats of an operand format; *special: an Inf or NaN. */
static inline __attribute__((always_inline))
void mma_span_body(const float *v, unsigned count, struct mma_exact_fmt f, int *lo, int *hi,
                   int *special)
{
    int l = *lo, h = *hi, sp = *special;

    for (unsigned i = 0; i < count; i++) {
        uint32_t u = s5000_fp_f32_bits(v[i]) & 0x7fffffffu;
        int e = (int)(u >> 23), bit = e - 127 - f.mbits, use = u != 0 && e != 255;

        bit = bit < f.lsb_min ? f.lsb_min : bit;
        sp |= e == 255;
        l = use && bit < l ? bit : l;
        h = use && e - 126 > h ? e - 126 : h;
    }
    *lo = l;
    *hi = h;
    *special = sp;
}

MMA_VECTORISE
static void mma_span_generic(const float *v, unsigned count, struct mma_exact_fmt f, int *lo,
                             int *hi, int *special)
{
    mma_span_body(v, count, f, lo, hi, special);
}

#ifdef MMA_X86
/* mma_span_body() for sixteen floats, the lanes of in. */
MMA_AVX512 static inline __attribute__((always_inline))
void mma_span16(__m512 v, __mmask16 in, struct mma_exact_fmt f, __m512i *lo, __m512i *hi,
                __mmask16 *special)
{
    __m512i u = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7fffffff));
    __m512i e = _mm512_srli_epi32(u, 23);
    __mmask16 use = _mm512_mask_cmpneq_epi32_mask(in, u, _mm512_setzero_si512());
    __mmask16 big = _mm512_mask_cmpeq_epi32_mask(in, e, _mm512_set1_epi32(255));
    __m512i bit = _mm512_max_epi32(_mm512_sub_epi32(e, _mm512_set1_epi32(127 + f.mbits)),
                                   _mm512_set1_epi32(f.lsb_min));

    *special |= big;
    use &= (__mmask16)~big;
    *lo = _mm512_mask_min_epi32(*lo, use, *lo, bit);
    *hi = _mm512_mask_max_epi32(*hi, use, *hi, _mm512_sub_epi32(e, _mm512_set1_epi32(126)));
}

/*
 * count operands of a row to floats at dst, widening the span: FP8 codes decoded in
 * registers (mma_fp8_decode16()) and spanned there, other types read back.
 */
MMA_AVX512
static void mma_row_avx512(unsigned type, const uint8_t *src, float *dst, unsigned count,
                           struct mma_exact_fmt f, int *lo, int *hi, int *special)
{
    __m512i l = _mm512_set1_epi32(*lo), h = _mm512_set1_epi32(*hi);
    __mmask16 sp = 0;
    __m512 t[8], v;

    if (type != S5000_MMA_F16)
        mma_fp8_table(mma_fp8_f32[type == S5000_MMA_E5M2], t);
    else
        mma_to_f32(type, src, dst, count);
    for (unsigned i = 0; i < count; i += 16) {
        __mmask16 in = mma_lanes16(count, i);

        if (type != S5000_MMA_F16) {
            v = mma_fp8_decode16(t, _mm_maskz_loadu_epi8(in, src + i));
            _mm512_mask_storeu_ps(dst + i, in, v);
        } else {
            v = _mm512_maskz_loadu_ps(in, dst + i);
        }
        mma_span16(v, in, f, &l, &h, &sp);
    }
    *lo = _mm512_reduce_min_epi32(l);
    *hi = _mm512_reduce_max_epi32(h);
    *special |= sp != 0;
}
#endif

/* count operands of a type to floats at dst, widening [*lo, *hi] and *special. */
static void mma_row(unsigned type, const uint8_t *src, float *dst, unsigned count, int *lo,
                    int *hi, int *special)
{
    struct mma_exact_fmt f = mma_exact_fmt(type);

#ifdef MMA_X86
    if (mma_avx512()) {
        mma_row_avx512(type, src, dst, count, f, lo, hi, special);
        return;
    }
#endif
    mma_to_f32(type, src, dst, count);
    mma_span_generic(dst, count, f, lo, hi, special);
}

/* The operands as floats, and their spans. */
static void mma_exact_operands(struct mma_scratch *s, const struct s5000_mma *d)
{
    struct mma_exact_ops *x = &s->t.exact;
    int special = 0;

    x->blo = SPAN_EMPTY_LO;
    x->bhi = SPAN_EMPTY_HI;
    if (!(d->flags & S5000_MMA_B_TRANS)) {
        for (unsigned kk = 0; kk < d->k; kk++)
            mma_row(d->b_type, s->b_rows[kk], x->b[kk], d->n, &x->blo, &x->bhi, &special);
    } else {
        for (unsigned j = 0; j < d->n; j++) {
            float col[MMA_K];

            mma_row(d->b_type, s->b_rows[j], col, d->k, &x->blo, &x->bhi, &special);
            for (unsigned kk = 0; kk < d->k; kk++)
                x->b[kk][j] = col[kk];
        }
    }
    x->bspecial = special;
    for (unsigned i = 0; i < d->m; i++) {
        x->lo[i] = SPAN_EMPTY_LO;
        x->hi[i] = SPAN_EMPTY_HI;
        special = 0;
        mma_row(d->a_type, s->a_rows[i], x->a[i], d->k, &x->lo[i], &x->hi[i], &special);
        x->special[i] = special;
    }
}

/* Bits the exact sums of row i span: 0 for an empty row or B, INT_MAX for Inf and NaN. */
static int mma_exact_width(const struct mma_exact_ops *x, unsigned i, unsigned k)
{
    if (x->special[i] || x->bspecial)
        return INT32_MAX;
    if (x->hi[i] == SPAN_EMPTY_HI || x->bhi == SPAN_EMPTY_HI)
        return 0;
    return x->hi[i] + x->bhi - x->lo[i] - x->blo + mma_bitlen(k - 1u);
}

/* -------------------------------------------------------------- the rows */

/* The exponent of the unit of row i's sums (0 for an empty row or B). */
static int mma_exact_unit(const struct mma_exact_ops *x, unsigned i)
{
    if (x->hi[i] == SPAN_EMPTY_HI || x->bhi == SPAN_EMPTY_HI)
        return 0;
    return x->lo[i] + x->blo;
}

/* A row of k FP8 operands (floats) as BF16 pairs, the last one padded with zero. */
static void mma_exact_pairs_row(const float *v, uint32_t *pairs, unsigned k)
{
    for (unsigned p = 0; 2 * p < k; p++) {
        uint32_t lo = s5000_fp_f32_bits(v[2 * p]) >> 16;
        uint32_t hi = 2 * p + 1 < k ? s5000_fp_f32_bits(v[2 * p + 1]) & 0xffff0000u : 0;

        pairs[p] = lo | hi;
    }
}

#ifdef MMA_X86
#define MMA_BF16 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))

/*
 * Pairs of k (2p, 2p + 1) of FP8 operands as BF16, one word each: a float holding an
 * FP8 value has nothing in its low half, so its top half is the value exactly.
 */
MMA_BF16
static void mma_exact_pairs(const float *row0, const float *row1, uint32_t *pairs, unsigned n)
{
    const __m512i top = _mm512_set1_epi32((int)0xffff0000u);

    for (unsigned j = 0; j < n; j += 16) {
        __mmask16 in = mma_lanes16(n, j);
        __m512i lo = _mm512_srli_epi32(_mm512_maskz_loadu_epi32(in, row0 + j), 16);
        __m512i hi = _mm512_maskz_loadu_epi32(row1 ? in : 0, row1 ? row1 + j : row0);

        _mm512_mask_storeu_epi32(pairs + j, in, _mm512_ternarylogic_epi32(lo, hi, top, 0xf8));
    }
}

/*
 * rows (8 or 1) x 32 sums of BF16 pair products in registers over the pairs. The
 * instruction rounds (to nearest, subnormals as zero) only sums that are not exact
 * in FP32; these sums are, and they and their terms are normal or zero.
 */
MMA_BF16 static inline __attribute__((always_inline))
void mma_exact_dot_block(float *const *sums, const uint32_t *const *a, const uint32_t (*b)[MMA_N],
                         unsigned rows, unsigned j, unsigned pairs, __mmask16 m0, __mmask16 m1)
{
    __m512 c[8][2];

#pragma GCC unroll 8
    for (unsigned r = 0; r < rows; r++)
        c[r][0] = c[r][1] = _mm512_setzero_ps();
    for (unsigned p = 0; p < pairs; p++) {
        __m512bh b0 = (__m512bh)_mm512_maskz_loadu_epi32(m0, b[p] + j);
        __m512bh b1 = (__m512bh)_mm512_maskz_loadu_epi32(m1, b[p] + j + 16);

#pragma GCC unroll 8
        for (unsigned r = 0; r < rows; r++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[r][p]);

            c[r][0] = _mm512_dpbf16_ps(c[r][0], av, b0);
            c[r][1] = _mm512_dpbf16_ps(c[r][1], av, b1);
        }
    }
#pragma GCC unroll 8
    for (unsigned r = 0; r < rows; r++) {
        _mm512_mask_storeu_ps(sums[r] + j, m0, c[r][0]);
        _mm512_mask_storeu_ps(sums[r] + j + 16, m1, c[r][1]);
    }
}

/* sums[r][j] = the exact dot products of FP8 rows of A with B, as BF16 pairs. */
MMA_BF16
static void mma_exact_dot_bf16(struct mma_exact_ops *x, float *const *sums, const unsigned *rows,
                               unsigned count, unsigned n, unsigned k)
{
    const uint32_t *a[MMA_EXACT_GROUP];
    unsigned pairs = (k + 1) / 2, r = 0;

    for (unsigned q = 0; q < count; q++) {
        mma_exact_pairs_row(x->a[rows[q]], x->ap[q], k);
        a[q] = x->ap[q];
    }
    for (unsigned j = 0; j < n; j += 32) {
        __mmask16 m0 = mma_lanes16(n, j), m1 = mma_lanes16(n, j + 16);

        for (r = 0; r + 8 <= count; r += 8)
            mma_exact_dot_block(sums + r, a + r, x->bp, 8, j, pairs, m0, m1);
        for (; r < count; r++)
            mma_exact_dot_block(sums + r, a + r, x->bp, 1, j, pairs, m0, m1);
    }
}
#endif

/*
 * Rows of at most 24 bits, up to MMA_EXACT_GROUP at a time, on the FP32 kernels, or
 * for FP8 operands as BF16 pairs where the host has dot products of those (twice the
 * products per instruction).
 */
static void mma_exact_rows_f32(struct mma_exact_ops *x, const unsigned *rows, unsigned count,
                               unsigned n, unsigned k, bool fp8, i128 *const *acc)
{
    float *sums[MMA_EXACT_GROUP];
    const float *a[MMA_EXACT_GROUP], *b[MMA_K];
#ifdef MMA_X86
    bool bf16 = fp8 && mma_avx512_bf16();

    for (unsigned p = 0; bf16 && 2 * p < k; p++)
        mma_exact_pairs(x->b[2 * p], 2 * p + 1 < k ? x->b[2 * p + 1] : NULL, x->bp[p], n);
#else
    (void)fp8;
#endif
    for (unsigned kk = 0; kk < k; kk++)
        b[kk] = x->b[kk];
    for (unsigned g = 0; g < count; g += MMA_EXACT_GROUP) {
        unsigned r = count - g < MMA_EXACT_GROUP ? count - g : MMA_EXACT_GROUP;

        for (unsigned q = 0; q < r; q++)
            sums[q] = x->fsum[q];
#ifdef MMA_X86
        if (bf16) {
            mma_exact_dot_bf16(x, sums, rows + g, r, n, k);
        } else
#endif
        {
            for (unsigned q = 0; q < r; q++) {
                memset(x->fsum[q], 0, n * sizeof(float));
                a[q] = x->a[rows[g + q]];
            }
            mma_f32_kernel(sums, a, b, r, n, k);
        }
        for (unsigned q = 0; q < r; q++) {
            struct mma_exact_sums sum = { x->fsum[q], NULL, mma_exact_unit(x, rows[g + q]) };

            mma_exact_accumulate(acc[rows[g + q]], sum, n);
        }
    }
}

/* Rows of at most 53 bits, on the FP64 kernels. */
static void mma_exact_rows_f64(struct mma_exact_ops *x, const unsigned *rows, unsigned count,
                               unsigned n, unsigned k, i128 *const *acc)
{
    double *sums[MMA_EXACT_GROUP];
    const double *a[MMA_EXACT_GROUP], *b[MMA_K];

    for (unsigned kk = 0; kk < k; kk++) {
        for (unsigned j = 0; j < n; j++)
            x->bd[kk][j] = x->b[kk][j];
        b[kk] = x->bd[kk];
    }
    for (unsigned g = 0; g < count; g += MMA_EXACT_GROUP) {
        unsigned r = count - g < MMA_EXACT_GROUP ? count - g : MMA_EXACT_GROUP;

        for (unsigned q = 0; q < r; q++) {
            sums[q] = x->dsum[q];
            memset(x->dsum[q], 0, n * sizeof(double));
            for (unsigned kk = 0; kk < k; kk++)
                x->ad[q][kk] = x->a[rows[g + q]][kk];
            a[q] = x->ad[q];
        }
        mma_f64_kernel(sums, a, b, r, n, k);
        for (unsigned q = 0; q < r; q++) {
            struct mma_exact_sums sum = { NULL, x->dsum[q], mma_exact_unit(x, rows[g + q]) };

            mma_exact_accumulate(acc[rows[g + q]], sum, n);
        }
    }
}

void mma_run_exact(struct mma_scratch *s, const struct s5000_mma *d, i128 *const *acc)
{
    struct mma_exact_ops *x = &s->t.exact;
    unsigned narrow[MMA_M], wide[MMA_M], nn = 0, nw = 0;

    mma_exact_operands(s, d);
    for (unsigned i = 0; i < d->m; i++) {
        int width = mma_exact_width(x, i, d->k);

        if (width <= 24) {
            narrow[nn++] = i;
        } else if (width <= 53) {
            wide[nw++] = i;
        } else {
            for (unsigned j = 0; j < d->n; j++)
                acc[i][j] = mma_exact_element(x, i, j, d->k, acc[i][j]);
        }
    }
    if (nn)
        mma_exact_rows_f32(x, narrow, nn, d->n, d->k, d->a_type != S5000_MMA_F16, acc);
    if (nw)
        mma_exact_rows_f64(x, wide, nw, d->n, d->k, acc);
}
