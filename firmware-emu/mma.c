// SPDX-License-Identifier: MIT
/*
 * The tensor core (mma.h): one struct s5000_mma at a time, with the numerics of
 * uapi/s5000-mma.md.
 *
 * Operands are converted once into local tiles: floats (or doubles) for the FP32,
 * FP64 and Hopper accumulators, and for the exact accumulator integer significands
 * with exponents, shifted to a common exponent per row of A and for all of B, so that
 * a row of dot products runs as int32 or int64 multiply-adds whenever the bit widths
 * prove that exact; otherwise (wide exponent spreads, Inf or NaN operands) element
 * by element in 128 bits. The inner loops have AVX2/FMA variants picked at run time;
 * the FP32 ones compute every element in k order with one fused multiply-add per
 * step either way, so they agree to the bit. The accumulator is updated in place when
 * the memory offers it (emu_mma_mem.map), else copied in and out.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../uapi/s5000_float.h"
#include "log.h"
#include "mma.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MMA_X86 1
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
 * An FP8 or FP16 value as sig * 2^exp, or a class for Inf and NaN (sig 0); lead is
 * exp plus the bit length of |sig|: |value| < 2^lead. Without a significand (zeros,
 * Inf, NaN), exp is INT8_MAX and lead INT8_MIN, so that a plain minimum and maximum
 * over values skip them.
 */
struct mma_int_value {
    int16_t sig;
    int8_t exp;
    int8_t lead;
    uint8_t cls;
};

/* Operands of the exact accumulator: the fields of struct mma_int_value, as arrays. */
struct mma_exact_ops {
    int16_t asig[MMA_M][MMA_K];
    int8_t aexp[MMA_M][MMA_K], alead[MMA_M][MMA_K];
    uint8_t acls[MMA_M][MMA_K];
    int16_t bsig[MMA_K][MMA_N];
    int8_t bexp[MMA_K][MMA_N], blead[MMA_K][MMA_N];
    uint8_t bcls[MMA_K][MMA_N];
    int32_t ai[MMA_M][MMA_K];           /* a shifted to 2^(row's base) */
    int32_t bi[MMA_K][MMA_N];           /* b shifted to 2^bbase */
    int bbase;                          /* the smallest exponent of a nonzero b */
    int bbits;                          /* |bi| < 2^bbits; > 31: bi not filled */
    bool bspecial;                      /* some b is Inf or NaN */
    int32_t sum32[MMA_N];
    int64_t sum[MMA_N];
};

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
};

/* Output formats in s5000_fp_round()'s terms. */
struct mma_fmt {
    int mbits, emin;
    uint64_t maxfin, inf;
    int bits;
};

static const struct mma_fmt mma_fmt_f32 = { S5000_FP_F32 };
static const struct mma_fmt mma_fmt_f64 = { S5000_FP_F64 };
static const struct mma_fmt mma_fmt_f16 = { S5000_FP_F16 };
static const struct mma_fmt mma_fmt_bf16 = { S5000_FP_BF16 };

static pthread_once_t mma_once = PTHREAD_ONCE_INIT;
static pthread_key_t mma_scratch_key;
static bool mma_scratch_key_ok;
static bool mma_cpu_simd;
static atomic_bool mma_simd_wanted = true;
static float mma_fp8_f32[2][256];
static struct mma_int_value mma_fp8_int[2][256];

/* ---------------------------------------------------------------- set-up */

static int mma_bitlen(uint32_t v)
{
    return v ? 32 - __builtin_clz(v) : 0;
}

/* sig * 2^exp of a code with mbits fraction bits and a smallest-normal exponent emin. */
static struct mma_int_value mma_int_fields(unsigned sign, unsigned field, unsigned frac,
                                           int mbits, int emin)
{
    struct mma_int_value v = { 0, 0, 0, CLS_FINITE };
    int sig = field ? (int)(frac | 1u << mbits) : (int)frac;

    v.sig = (int16_t)(sign ? -sig : sig);
    v.exp = sig ? (int8_t)((int)(field ? field : 1) + emin - 1 - mbits) : INT8_MAX;
    v.lead = sig ? (int8_t)(v.exp + mma_bitlen((uint32_t)sig)) : INT8_MIN;
    return v;
}

static struct mma_int_value mma_special(unsigned sign, bool nan)
{
    struct mma_int_value v = { 0, INT8_MAX, INT8_MIN, CLS_NAN };

    if (!nan)
        v.cls = sign ? CLS_NINF : CLS_PINF;
    return v;
}

static inline struct mma_int_value mma_f16_int(uint16_t h)
{
    unsigned sign = h >> 15, field = (h >> 10) & 31, frac = h & 0x3ff;

    if (field == 31)
        return mma_special(sign, frac != 0);
    return mma_int_fields(sign, field, frac, 10, -14);
}

static void mma_free_scratch(void *p)
{
    free(p);
}

static void mma_init(void)
{
    for (unsigned c = 0; c < 256; c++) {
        unsigned sign = c >> 7;

        mma_fp8_f32[0][c] = s5000_e4m3_to_f32((unsigned char)c);
        mma_fp8_f32[1][c] = s5000_e5m2_to_f32((unsigned char)c);
        mma_fp8_int[0][c] = (c & 0x7f) == 0x7f ? mma_special(sign, true)
                          : mma_int_fields(sign, (c >> 3) & 15, c & 7, 3, -6);
        mma_fp8_int[1][c] = ((c >> 2) & 31) == 31 ? mma_special(sign, c & 3)
                          : mma_int_fields(sign, (c >> 2) & 31, c & 3, 2, -14);
    }
#ifdef MMA_X86
    mma_cpu_simd = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    mma_scratch_key_ok = !pthread_key_create(&mma_scratch_key, mma_free_scratch);
    if (!mma_scratch_key_ok)
        emu_err("mma: no thread key for scratch tiles");
}

bool emu_mma_set_simd(bool enable)
{
    return atomic_exchange(&mma_simd_wanted, enable);
}

static bool mma_simd(void)
{
    return mma_cpu_simd && atomic_load_explicit(&mma_simd_wanted, memory_order_relaxed);
}

/* The calling thread's tiles, kept for its next MMA and freed when it exits. */
static struct mma_scratch *mma_scratch(void)
{
    struct mma_scratch *s;

    if (!mma_scratch_key_ok)
        return NULL;
    s = pthread_getspecific(mma_scratch_key);
    if (s)
        return s;
    s = aligned_alloc(64, sizeof(*s));
    if (!s || pthread_setspecific(mma_scratch_key, s)) {
        emu_err("mma: no memory for %zu bytes of tiles", sizeof(*s));
        free(s);
        return NULL;
    }
    return s;
}

/* ------------------------------------------------------------ validation */

static bool mma_is_fp8(unsigned t)
{
    return t == S5000_MMA_E4M3 || t == S5000_MMA_E5M2;
}

static unsigned mma_type_size(unsigned t)
{
    static const unsigned char size[] = {
        [S5000_MMA_E4M3] = 1, [S5000_MMA_E5M2] = 1, [S5000_MMA_F16] = 2, [S5000_MMA_BF16] = 2,
        [S5000_MMA_TF32] = 4, [S5000_MMA_F32] = 4, [S5000_MMA_F64] = 8,
    };

    return t < sizeof(size) ? size[t] : 0;
}

static unsigned mma_acc_size(unsigned acc)
{
    static const unsigned char size[] = {
        [S5000_MMA_ACC_EXACT] = 16, [S5000_MMA_ACC_F32] = 4, [S5000_MMA_ACC_F64] = 8,
        [S5000_MMA_ACC_HOPPER] = 8,
    };

    return acc < sizeof(size) ? size[acc] : 0;
}

/* Which operand types each accumulator takes; FP8 A and B may differ. */
static bool mma_types_valid(const struct s5000_mma *d)
{
    unsigned a = d->a_type;
    bool fp8 = mma_is_fp8(a) && mma_is_fp8(d->b_type);

    if (!fp8 && a != d->b_type)
        return false;
    switch (d->acc_type) {
    case S5000_MMA_ACC_EXACT:
        return fp8 || a == S5000_MMA_F16;
    case S5000_MMA_ACC_F32:
        return fp8 || a == S5000_MMA_F16 || a == S5000_MMA_BF16 || a == S5000_MMA_TF32 ||
               a == S5000_MMA_F32;
    case S5000_MMA_ACC_F64:
        return a == S5000_MMA_F64;
    case S5000_MMA_ACC_HOPPER:
        return fp8;
    }
    return false;
}

static bool mma_valid_mma(const struct s5000_mma *d)
{
    bool hopper = d->acc_type == S5000_MMA_ACC_HOPPER;
    unsigned flags = S5000_MMA_B_TRANS | (hopper ? S5000_MMA_PROMOTE | S5000_MMA_FLOOR : 0);
    unsigned b_row = d->flags & S5000_MMA_B_TRANS ? d->k : d->n;

    if (!mma_types_valid(d) || (d->flags & ~flags))
        return false;
    /* HOPPER needs its parameter, the others take none. */
    if (hopper != (d->hopper_bits != 0) || d->hopper_bits > S5000_MMA_HOPPER_BITS_MAX)
        return false;
    if (d->k < 1 || d->k > S5000_MMA_MAX_K(d->a_type) || d->k > S5000_MMA_MAX_K(d->b_type))
        return false;
    if (d->lda < d->k || d->ldb < b_row || d->ldacc < d->n)
        return false;
    /* What only STORE reads. */
    return !d->out_type && !d->ldout && !d->out && !d->scale_a && !d->scale_b;
}

static bool mma_valid_store(const struct s5000_mma *d)
{
    unsigned flags = S5000_MMA_ACCUMULATE | S5000_MMA_CLEAR | S5000_MMA_SCALE_A_ROWS |
                     S5000_MMA_SCALE_B_BLOCKS;
    unsigned out = d->out_type;

    if (!mma_acc_size(d->acc_type) || (d->flags & ~flags))
        return false;
    if (out != S5000_MMA_F32 && out != S5000_MMA_F16 && out != S5000_MMA_BF16 &&
        out != S5000_MMA_F64)
        return false;
    if (d->ldacc < d->n || d->ldout < d->n)
        return false;
    /* Per-row and per-block scales need somewhere to read them from. */
    if (((d->flags & S5000_MMA_SCALE_A_ROWS) && !d->scale_a) ||
        ((d->flags & S5000_MMA_SCALE_B_BLOCKS) && !d->scale_b))
        return false;
    /* What only MMA reads. */
    return !d->a_type && !d->b_type && !d->hopper_bits && !d->k && !d->lda && !d->ldb &&
           !d->a && !d->b;
}

static bool mma_valid(const struct s5000_mma *d)
{
    if (d->pad || d->m < 1 || d->m > MMA_M || d->n < 1 || d->n > MMA_N)
        return false;
    if (d->op == S5000_MMA_OP_MMA)
        return mma_valid_mma(d);
    return d->op == S5000_MMA_OP_STORE && mma_valid_store(d);
}

/* ------------------------------------------------------------------ I/O */

/* rows rows of row_bytes, stride bytes apart in memory, dst_stride apart in dst. */
static bool mma_read_rows(const struct emu_mma_mem *mem, uint64_t addr, unsigned rows,
                          size_t row_bytes, uint64_t stride, void *dst, size_t dst_stride)
{
    uint8_t *p = dst;

    if (stride == row_bytes && dst_stride == row_bytes)
        return mem->read(mem->opaque, addr, dst, rows * row_bytes);
    for (unsigned r = 0; r < rows; r++)
        if (!mem->read(mem->opaque, addr + r * stride, p + r * dst_stride, row_bytes))
            return false;
    return true;
}

static bool mma_write_rows(const struct emu_mma_mem *mem, uint64_t addr, unsigned rows,
                           size_t row_bytes, uint64_t stride, const void *src,
                           size_t src_stride)
{
    const uint8_t *p = src;

    if (stride == row_bytes && src_stride == row_bytes)
        return mem->write(mem->opaque, addr, src, rows * row_bytes);
    for (unsigned r = 0; r < rows; r++)
        if (!mem->write(mem->opaque, addr + r * stride, p + r * src_stride, row_bytes))
            return false;
    return true;
}

/* ----------------------------------------------------- operand conversion */

/* count contiguous operands to floats. */
MMA_VECTORISE
static void mma_to_f32(unsigned type, const uint8_t *src, float *restrict dst, unsigned count)
{
    const float *lut;
    uint16_t h;
    uint32_t u;

    switch (type) {
    case S5000_MMA_E4M3:
    case S5000_MMA_E5M2:
        lut = mma_fp8_f32[type - S5000_MMA_E4M3];
        for (unsigned i = 0; i < count; i++)
            dst[i] = lut[src[i]];
        break;
    case S5000_MMA_F16:
        for (unsigned i = 0; i < count; i++) {
            memcpy(&h, src + 2 * i, 2);
            dst[i] = s5000_f16_to_f32(h);
        }
        break;
    case S5000_MMA_BF16:
        for (unsigned i = 0; i < count; i++) {
            memcpy(&h, src + 2 * i, 2);
            dst[i] = s5000_bf16_to_f32(h);
        }
        break;
    case S5000_MMA_TF32:
        /* The low 13 fraction bits are not read; a NaN stays a NaN. */
        for (unsigned i = 0; i < count; i++) {
            memcpy(&u, src + 4 * i, 4);
            dst[i] = s5000_fp_bits_f32((u & 0x7fffffffu) > 0x7f800000u ? u : u & 0xffffe000u);
        }
        break;
    default:
        memcpy(dst, src, (size_t)count * 4);
        break;
    }
}

/* Where mma_to_int() puts the fields of a value: element i at [i * step]. */
struct mma_int_dst {
    int16_t *sig;
    int8_t *exp, *lead;
    uint8_t *cls;
    size_t step;
};

static void mma_put_int(struct mma_int_dst dst, unsigned i, struct mma_int_value v)
{
    dst.sig[i * dst.step] = v.sig;
    dst.exp[i * dst.step] = v.exp;
    dst.lead[i * dst.step] = v.lead;
    dst.cls[i * dst.step] = v.cls;
}

/* count contiguous operands to integer values. */
static void mma_to_int(unsigned type, const uint8_t *src, struct mma_int_dst dst,
                       unsigned count)
{
    const struct mma_int_value *lut = mma_fp8_int[type == S5000_MMA_E5M2];
    uint16_t h;

    if (type != S5000_MMA_F16) {
        for (unsigned i = 0; i < count; i++)
            mma_put_int(dst, i, lut[src[i]]);
        return;
    }
    for (unsigned i = 0; i < count; i++) {
        memcpy(&h, src + 2 * i, 2);
        mma_put_int(dst, i, mma_f16_int(h));
    }
}

/* Row r of B as read: a row of K x N B, or with B_TRANS a column (K contiguous). */
static const uint8_t *mma_b_row(const struct mma_scratch *s, const struct s5000_mma *d,
                                unsigned r)
{
    unsigned count = d->flags & S5000_MMA_B_TRANS ? d->k : d->n;

    return s->raw_b + (size_t)r * count * mma_type_size(d->b_type);
}

static const uint8_t *mma_a_row(const struct mma_scratch *s, const struct s5000_mma *d,
                                unsigned i)
{
    return s->raw_a + (size_t)i * d->k * mma_type_size(d->a_type);
}

/* Columns up to the next multiple of 16: integer dot products without a scalar tail. */
static unsigned mma_npad(unsigned n)
{
    return (n + 15) & ~15u;
}

static void mma_operands_f32(struct mma_scratch *s, const struct s5000_mma *d)
{
    float col[MMA_K];

    for (unsigned i = 0; i < d->m; i++)
        mma_to_f32(d->a_type, mma_a_row(s, d, i), s->t.f32.a[i], d->k);
    if (d->flags & S5000_MMA_B_TRANS) {
        for (unsigned j = 0; j < d->n; j++) {
            mma_to_f32(d->b_type, mma_b_row(s, d, j), col, d->k);
            for (unsigned kk = 0; kk < d->k; kk++)
                s->t.f32.b[kk][j] = col[kk];
        }
    } else {
        for (unsigned kk = 0; kk < d->k; kk++)
            mma_to_f32(d->b_type, mma_b_row(s, d, kk), s->t.f32.b[kk], d->n);
    }
}

static void mma_operands_f64(struct mma_scratch *s, const struct s5000_mma *d)
{
    for (unsigned i = 0; i < d->m; i++)
        memcpy(s->t.f64.a[i], mma_a_row(s, d, i), d->k * sizeof(double));
    for (unsigned r = 0; r < (d->flags & S5000_MMA_B_TRANS ? d->n : d->k); r++) {
        const uint8_t *row = mma_b_row(s, d, r);

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
static void mma_f32_generic(float *const *acc, const float (*a)[MMA_K],
                            const float (*b)[MMA_N], unsigned m, unsigned n, unsigned k)
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
static void mma_f32_block4(float *const *acc, const float (*a)[MMA_K],
                           const float (*b)[MMA_N], unsigned j, unsigned k)
{
    float *r0 = acc[0] + j, *r1 = acc[1] + j, *r2 = acc[2] + j, *r3 = acc[3] + j;
    __m256 c00 = _mm256_loadu_ps(r0), c01 = _mm256_loadu_ps(r0 + 8);
    __m256 c10 = _mm256_loadu_ps(r1), c11 = _mm256_loadu_ps(r1 + 8);
    __m256 c20 = _mm256_loadu_ps(r2), c21 = _mm256_loadu_ps(r2 + 8);
    __m256 c30 = _mm256_loadu_ps(r3), c31 = _mm256_loadu_ps(r3 + 8);

    for (unsigned kk = 0; kk < k; kk++) {
        __m256 b0 = _mm256_load_ps(&b[kk][j]), b1 = _mm256_load_ps(&b[kk][j + 8]);
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
static void mma_f32_block1(float *acc, const float *a, const float (*b)[MMA_N], unsigned j,
                           unsigned k)
{
    __m256 c0 = _mm256_loadu_ps(acc + j), c1 = _mm256_loadu_ps(acc + j + 8);

    for (unsigned kk = 0; kk < k; kk++) {
        __m256 av = _mm256_broadcast_ss(&a[kk]);

        c0 = _mm256_fmadd_ps(av, _mm256_load_ps(&b[kk][j]), c0);
        c1 = _mm256_fmadd_ps(av, _mm256_load_ps(&b[kk][j + 8]), c1);
    }
    _mm256_storeu_ps(acc + j, c0);
    _mm256_storeu_ps(acc + j + 8, c1);
}

__attribute__((target("avx2,fma")))
static void mma_f32_avx2(float *const *acc, const float (*a)[MMA_K],
                         const float (*b)[MMA_N], unsigned m, unsigned n, unsigned k)
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
#endif

static void mma_run_f32(struct mma_scratch *s, const struct s5000_mma *d, float *const *acc)
{
    mma_operands_f32(s, d);
#ifdef MMA_X86
    if (mma_simd()) {
        mma_f32_avx2(acc, s->t.f32.a, s->t.f32.b, d->m, d->n, d->k);
        return;
    }
#endif
    mma_f32_generic(acc, s->t.f32.a, s->t.f32.b, d->m, d->n, d->k);
}

/* ------------------------------------------------------ FP64 accumulator */

static inline __attribute__((always_inline))
void mma_f64_body(double *const *acc, const double (*a)[MMA_K], const double (*b)[MMA_N],
                  unsigned m, unsigned n, unsigned k)
{
    for (unsigned i = 0; i < m; i++)
        for (unsigned kk = 0; kk < k; kk++) {
            double av = a[i][kk], *restrict row = acc[i];

            for (unsigned j = 0; j < n; j++)
                row[j] = fma(av, b[kk][j], row[j]);
        }
}

static void mma_f64_generic(double *const *acc, const double (*a)[MMA_K],
                            const double (*b)[MMA_N], unsigned m, unsigned n, unsigned k)
{
    mma_f64_body(acc, a, b, m, n, k);
}

#ifdef MMA_X86
__attribute__((target("avx2,fma"))) MMA_VECTORISE
static void mma_f64_avx2(double *const *acc, const double (*a)[MMA_K],
                         const double (*b)[MMA_N], unsigned m, unsigned n, unsigned k)
{
    mma_f64_body(acc, a, b, m, n, k);
}
#endif

static void mma_run_f64(struct mma_scratch *s, const struct s5000_mma *d, double *const *acc)
{
    mma_operands_f64(s, d);
#ifdef MMA_X86
    if (mma_simd()) {
        mma_f64_avx2(acc, s->t.f64.a, s->t.f64.b, d->m, d->n, d->k);
        return;
    }
#endif
    mma_f64_generic(acc, s->t.f64.a, s->t.f64.b, d->m, d->n, d->k);
}

/* ----------------------------------------------------- exact accumulator */

/* Finite values fit 127 bits: the top two bits agree. */
static bool mma_exact_finite(i128 v)
{
    uint64_t hi = (uint64_t)((u128)v >> 64);

    return !((hi ^ (hi << 1)) >> 63);
}

static enum mma_class mma_exact_class(i128 v)
{
    if (mma_exact_finite(v))
        return CLS_FINITE;
    if (v == EXACT_NAN)
        return CLS_NAN;
    return v > 0 ? CLS_PINF : CLS_NINF;
}

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

static int mma_value_sign(uint8_t cls, int16_t sig)
{
    if (cls == CLS_PINF)
        return 1;
    if (cls == CLS_NINF)
        return -1;
    return (sig > 0) - (sig < 0);
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

/* One element term by term in 128 bits: any spread of exponents, Inf and NaN. */
static i128 mma_exact_element(const struct mma_exact_ops *x, unsigned i, unsigned j,
                              unsigned k, i128 acc)
{
    enum mma_class cls = mma_exact_class(acc);
    i128 sum = 0;

    for (unsigned kk = 0; kk < k; kk++) {
        int sa = mma_value_sign(x->acls[i][kk], x->asig[i][kk]);
        int sb = mma_value_sign(x->bcls[kk][j], x->bsig[kk][j]);

        if (x->acls[i][kk] == CLS_NAN || x->bcls[kk][j] == CLS_NAN) {
            cls = CLS_NAN;
        } else if (x->acls[i][kk] || x->bcls[kk][j]) {
            /* Inf x 0 is NaN. */
            cls = mma_class_add(cls, sa * sb == 0 ? CLS_NAN : sa * sb > 0 ? CLS_PINF : CLS_NINF);
        } else if (x->asig[i][kk] && x->bsig[kk][j]) {
            sum += mma_shl((int64_t)x->asig[i][kk] * x->bsig[kk][j],
                           x->aexp[i][kk] + x->bexp[kk][j] + S5000_MMA_EXACT_FRAC);
        }
    }
    return cls ? mma_exact_code(cls) : mma_exact_add(acc, sum);
}

/* B's smallest nonzero exponent and bound (|b| < 2^top); whether any b is Inf or NaN. */
static inline __attribute__((always_inline))
void mma_exact_range_b(struct mma_exact_ops *x, unsigned n, unsigned k, int *top)
{
    int32_t lo = INT8_MAX, hi = INT8_MIN;
    uint8_t special = 0;

    for (unsigned kk = 0; kk < k; kk++)
        for (unsigned j = 0; j < n; j++) {
            special |= x->bcls[kk][j];
            lo = x->bexp[kk][j] < lo ? x->bexp[kk][j] : lo;
            hi = x->blead[kk][j] > hi ? x->blead[kk][j] : hi;
        }
    x->bspecial = special;
    x->bbase = hi == INT8_MIN ? 0 : lo;
    *top = hi == INT8_MIN ? 0 : hi;
}

/* B over its smallest nonzero exponent, if that fits 31 bits. */
static inline __attribute__((always_inline))
void mma_exact_prepare_b_body(struct mma_exact_ops *x, unsigned n, unsigned k)
{
    int top;

    mma_exact_range_b(x, n, k, &top);
    x->bbits = top - x->bbase;
    if (x->bbits > 31)
        return;
    for (unsigned kk = 0; kk < k; kk++) {
        for (unsigned j = 0; j < n; j++)
            x->bi[kk][j] = (int32_t)((uint32_t)(int32_t)x->bsig[kk][j] <<
                                     ((x->bexp[kk][j] - x->bbase) & 31));
        for (unsigned j = n; j < mma_npad(n); j++)
            x->bi[kk][j] = 0;
    }
}

MMA_VECTORISE
static void mma_exact_prepare_b_generic(struct mma_exact_ops *x, unsigned n, unsigned k)
{
    mma_exact_prepare_b_body(x, n, k);
}

#ifdef MMA_X86
__attribute__((target("avx2"))) MMA_VECTORISE
static void mma_exact_prepare_b_avx2(struct mma_exact_ops *x, unsigned n, unsigned k)
{
    mma_exact_prepare_b_body(x, n, k);
}
#endif

static void mma_exact_prepare_b(struct mma_exact_ops *x, unsigned n, unsigned k)
{
#ifdef MMA_X86
    if (mma_simd()) {
        mma_exact_prepare_b_avx2(x, n, k);
        return;
    }
#endif
    mma_exact_prepare_b_generic(x, n, k);
}

/*
 * Row i of A over its smallest nonzero exponent, or false for a row with Inf or NaN.
 * *bits: the bit length of the shifted values' magnitudes.
 */
static bool mma_exact_prepare_a(struct mma_exact_ops *x, unsigned i, unsigned k, int *base,
                                int *bits)
{
    int lo = INT8_MAX, top = INT8_MIN;

    for (unsigned kk = 0; kk < k; kk++) {
        if (x->acls[i][kk])
            return false;
        lo = x->aexp[i][kk] < lo ? x->aexp[i][kk] : lo;
        top = x->alead[i][kk] > top ? x->alead[i][kk] : top;
    }
    if (top == INT8_MIN)
        lo = top = 0;
    *base = lo;
    *bits = top - lo;
    if (*bits > 31)
        return true;
    for (unsigned kk = 0; kk < k; kk++)
        x->ai[i][kk] = (int32_t)((uint32_t)(int32_t)x->asig[i][kk] <<
                                 ((x->aexp[i][kk] - lo) & 31));
    return true;
}

/*
 * The dot products of one row as int32 or int64 multiply-adds: the caller has
 * checked that no partial sum can overflow the type.
 */
static inline __attribute__((always_inline))
void mma_exact_dot32_body(int32_t *restrict sum, const int32_t *arow,
                          const int32_t (*bi)[MMA_N], unsigned npad, unsigned k)
{
    for (unsigned j = 0; j < npad; j++)
        sum[j] = 0;
    for (unsigned kk = 0; kk < k; kk++) {
        int32_t av = arow[kk];

        if (!av)
            continue;
        for (unsigned j = 0; j < npad; j++)
            sum[j] += av * bi[kk][j];
    }
}

static inline __attribute__((always_inline))
void mma_exact_dot64_body(int64_t *restrict sum, const int32_t *arow,
                          const int32_t (*bi)[MMA_N], unsigned npad, unsigned k)
{
    for (unsigned j = 0; j < npad; j++)
        sum[j] = 0;
    for (unsigned kk = 0; kk < k; kk++) {
        int32_t av = arow[kk];

        if (!av)
            continue;
        for (unsigned j = 0; j < npad; j++)
            sum[j] += (int64_t)av * bi[kk][j];
    }
}

MMA_VECTORISE
static void mma_exact_dot_generic(struct mma_exact_ops *x, const int32_t *arow, bool narrow,
                                  unsigned npad, unsigned k)
{
    if (!narrow) {
        mma_exact_dot64_body(x->sum, arow, x->bi, npad, k);
        return;
    }
    mma_exact_dot32_body(x->sum32, arow, x->bi, npad, k);
    for (unsigned j = 0; j < npad; j++)
        x->sum[j] = x->sum32[j];
}

#ifdef MMA_X86
__attribute__((target("avx2"))) MMA_VECTORISE
static void mma_exact_dot_avx2(struct mma_exact_ops *x, const int32_t *arow, bool narrow,
                               unsigned npad, unsigned k)
{
    if (!narrow) {
        mma_exact_dot64_body(x->sum, arow, x->bi, npad, k);
        return;
    }
    mma_exact_dot32_body(x->sum32, arow, x->bi, npad, k);
    for (unsigned j = 0; j < npad; j++)
        x->sum[j] = x->sum32[j];
}
#endif

static void mma_exact_row_fast(struct mma_exact_ops *x, const struct s5000_mma *d, unsigned i,
                               int abase, bool narrow, i128 *acc)
{
    int shift = abase + x->bbase + S5000_MMA_EXACT_FRAC;

#ifdef MMA_X86
    if (mma_simd())
        mma_exact_dot_avx2(x, x->ai[i], narrow, mma_npad(d->n), d->k);
    else
#endif
        mma_exact_dot_generic(x, x->ai[i], narrow, mma_npad(d->n), d->k);
    for (unsigned j = 0; j < d->n; j++) {
        if (!mma_exact_finite(acc[j]))
            acc[j] = mma_exact_code(mma_exact_class(acc[j]));
        else
            acc[j] = mma_exact_add(acc[j], mma_shl(x->sum[j], shift));
    }
}

static void mma_exact_operands(struct mma_scratch *s, const struct s5000_mma *d)
{
    struct mma_exact_ops *x = &s->t.exact;
    bool trans = d->flags & S5000_MMA_B_TRANS;

    for (unsigned i = 0; i < d->m; i++) {
        struct mma_int_dst a = { x->asig[i], x->aexp[i], x->alead[i], x->acls[i], 1 };

        mma_to_int(d->a_type, mma_a_row(s, d, i), a, d->k);
    }
    for (unsigned r = 0; r < (trans ? d->n : d->k); r++) {
        struct mma_int_dst b = { x->bsig[r], x->bexp[r], x->blead[r], x->bcls[r], 1 };

        if (trans)
            b = (struct mma_int_dst){ &x->bsig[0][r], &x->bexp[0][r], &x->blead[0][r],
                                      &x->bcls[0][r], MMA_N };
        mma_to_int(d->b_type, mma_b_row(s, d, r), b, trans ? d->k : d->n);
    }
}

/*
 * Rows whose sums provably fit 32 or 64 bits (from the bit lengths of the operands
 * shifted to the row's and B's smallest exponents) run as integer dot products; the
 * rest, term by term.
 */
static void mma_run_exact(struct mma_scratch *s, const struct s5000_mma *d, i128 *const *acc)
{
    struct mma_exact_ops *x = &s->t.exact;
    int abase, abits, klog = mma_bitlen(d->k - 1u);

    mma_exact_operands(s, d);
    mma_exact_prepare_b(x, d->n, d->k);
    for (unsigned i = 0; i < d->m; i++) {
        if (!x->bspecial && mma_exact_prepare_a(x, i, d->k, &abase, &abits) &&
            abits <= 31 && x->bbits <= 31 && abits + x->bbits + klog <= 63) {
            mma_exact_row_fast(x, d, i, abase, abits + x->bbits + klog <= 31, acc[i]);
            continue;
        }
        for (unsigned j = 0; j < d->n; j++)
            acc[i][j] = mma_exact_element(x, i, j, d->k, acc[i][j]);
    }
}

/* -------------------------------------------------- Hopper accumulator */

static inline double mma_pow2(int e)
{
    return s5000_fp_bits_f64((uint64_t)(1023 + e) << 52);
}

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

static void mma_run_hopper(struct mma_scratch *s, const struct s5000_mma *d,
                           struct mma_hopper_acc *const *rows)
{
    struct mma_hopper_row h;
    bool floor_mode = d->flags & S5000_MMA_FLOOR;

    mma_operands_f32(s, d);
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

/* ----------------------------------------------------------------- MMA */

/* The accumulator rows in place, if the memory maps every one, naturally aligned. */
static bool mma_map_acc(const struct s5000_mma *d, const struct emu_mma_mem *mem, void **rows)
{
    unsigned accsz = mma_acc_size(d->acc_type);
    uintptr_t align = d->acc_type == S5000_MMA_ACC_HOPPER ? 4 : accsz;

    if (!mem->map)
        return false;
    for (unsigned i = 0; i < d->m; i++) {
        rows[i] = mem->map(mem->opaque, d->acc + (uint64_t)i * d->ldacc * accsz,
                           (size_t)d->n * accsz, true);
        if (!rows[i] || (uintptr_t)rows[i] % align)
            return false;
    }
    return true;
}

static int mma_multiply(struct mma_scratch *s, const struct s5000_mma *d,
                        const struct emu_mma_mem *mem)
{
    unsigned asz = mma_type_size(d->a_type), bsz = mma_type_size(d->b_type);
    unsigned accsz = mma_acc_size(d->acc_type);
    bool trans = d->flags & S5000_MMA_B_TRANS, mapped;
    size_t b_row = (size_t)(trans ? d->k : d->n) * bsz, acc_row = (size_t)d->n * accsz;
    uint64_t acc_stride = (uint64_t)d->ldacc * accsz;
    void *rows[MMA_M];

    if (!mma_read_rows(mem, d->a, d->m, (size_t)d->k * asz, (uint64_t)d->lda * asz, s->raw_a,
                       (size_t)d->k * asz) ||
        !mma_read_rows(mem, d->b, trans ? d->n : d->k, b_row, (uint64_t)d->ldb * bsz,
                       s->raw_b, b_row))
        return -1;
    /* After the last read that can fail: updating in place writes nothing early. */
    mapped = mma_map_acc(d, mem, rows);
    if (!mapped) {
        if (!mma_read_rows(mem, d->acc, d->m, acc_row, acc_stride, &s->acc,
                           (size_t)MMA_N * accsz))
            return -1;
        for (unsigned i = 0; i < d->m; i++)
            rows[i] = (uint8_t *)&s->acc + (size_t)i * MMA_N * accsz;
    }
    switch (d->acc_type) {
    case S5000_MMA_ACC_EXACT:
        mma_run_exact(s, d, (i128 **)rows);
        break;
    case S5000_MMA_ACC_F32:
        mma_run_f32(s, d, (float **)rows);
        break;
    case S5000_MMA_ACC_F64:
        mma_run_f64(s, d, (double **)rows);
        break;
    default:
        mma_run_hopper(s, d, (struct mma_hopper_acc **)rows);
        break;
    }
    if (mapped)
        return 0;
    return mma_write_rows(mem, d->acc, d->m, acc_row, acc_stride, &s->acc,
                          (size_t)MMA_N * accsz) ? 0 : -1;
}

/* --------------------------------------------------------------- STORE */

/* An accumulator's value: a class, or (-1)^neg * mag * 2^exp. */
struct mma_value {
    enum mma_class cls;
    bool neg;
    u128 mag;
    int exp;
};

static struct mma_value mma_value_f64(double v)
{
    uint64_t u = s5000_fp_f64_bits(v);
    int biased = (int)((u >> 52) & 0x7ff);
    struct mma_value r = { CLS_FINITE, u >> 63, u & 0xfffffffffffffull, 0 };

    if (biased == 0x7ff) {
        r.cls = r.mag ? CLS_NAN : r.neg ? CLS_NINF : CLS_PINF;
        return r;
    }
    if (biased)
        r.mag |= 1ull << 52;
    r.exp = (biased ? biased : 1) - 1075;
    return r;
}

static struct mma_value mma_acc_value(const struct mma_scratch *s, unsigned type, unsigned i,
                                      unsigned j)
{
    struct mma_value r = { CLS_FINITE, false, 0, -S5000_MMA_EXACT_FRAC };
    const struct mma_hopper_acc *h;
    i128 v;

    switch (type) {
    case S5000_MMA_ACC_EXACT:
        v = s->acc.exact[i][j];
        r.cls = mma_exact_class(v);
        r.neg = v < 0;
        r.mag = r.neg ? -(u128)v : (u128)v;
        return r;
    case S5000_MMA_ACC_F32:
        return mma_value_f64(s->acc.f32[i][j]);
    case S5000_MMA_ACC_F64:
        return mma_value_f64(s->acc.f64[i][j]);
    default:
        /* Hopper: the final promotion, in FP32 as every other one. */
        h = &s->acc.hopper[i][j];
        return mma_value_f64(h->main + h->partial);
    }
}

static const struct mma_fmt *mma_out_fmt(unsigned type)
{
    switch (type) {
    case S5000_MMA_F64:
        return &mma_fmt_f64;
    case S5000_MMA_F16:
        return &mma_fmt_f16;
    case S5000_MMA_BF16:
        return &mma_fmt_bf16;
    default:
        return &mma_fmt_f32;
    }
}

static uint64_t mma_encode(double v, const struct mma_fmt *f)
{
    return s5000_fp_from_f64_fmt(v, f->mbits, f->emin, f->maxfin, f->inf, f->bits, 0);
}

/*
 * mag * 2^exp * scale, rounded once: the 128 x 53-bit product is formed exactly
 * in three words, then its top 64 bits and a sticky bit go to s5000_fp_round().
 */
static uint64_t mma_round_scaled(struct mma_value v, double scale, const struct mma_fmt *f)
{
    struct mma_value sc = mma_value_f64(scale);
    u128 lo = (u128)(uint64_t)v.mag * (uint64_t)sc.mag;
    u128 hi = (u128)(uint64_t)(v.mag >> 64) * (uint64_t)sc.mag;
    u128 mid = (lo >> 64) + (uint64_t)hi;
    uint64_t w0 = (uint64_t)lo, w1 = (uint64_t)mid;
    uint64_t w2 = (uint64_t)(hi >> 64) + (uint64_t)(mid >> 64);
    int exp = v.exp + sc.exp, c;
    uint64_t top = w0;
    bool sticky = false;
    u128 t;

    if (w2 || w1) {
        c = __builtin_clzll(w2 ? w2 : w1);
        t = (w2 ? (u128)w2 << 64 | w1 : (u128)w1 << 64 | w0) << c;
        top = (uint64_t)(t >> 64);
        sticky = (uint64_t)t || (w2 && w0);
        exp += (w2 ? 128 : 64) - c;
    }
    return (uint64_t)(v.neg != sc.neg) << (f->bits - 1) |
           s5000_fp_round(top, exp, sticky, f->mbits, f->emin, f->maxfin, f->inf);
}

static uint64_t mma_store_element(struct mma_value v, double scale, const struct mma_fmt *f)
{
    double sign = v.neg ? -1.0 : 1.0, x;

    if (v.cls == CLS_FINITE && v.mag && isfinite(scale) && scale != 0)
        return mma_round_scaled(v, scale, f);
    /* The result is a zero, an infinity or a NaN: the magnitude does not matter. */
    if (v.cls == CLS_NAN)
        x = NAN;
    else if (v.cls)
        x = v.cls == CLS_PINF ? INFINITY : -INFINITY;
    else
        x = v.mag ? sign : sign * 0.0;
    return mma_encode(x * scale, f);
}

static double mma_decode(const uint8_t *p, unsigned type)
{
    double v;
    float f;

    if (type == S5000_MMA_F64) {
        memcpy(&v, p, 8);
        return v;
    }
    mma_to_f32(type, p, &f, 1);
    return f;
}

/*
 * The rounded result plus the old out, rounded in the out type. Two values of one
 * type add correctly rounded through double: exactly when their exponents are close,
 * and otherwise the smaller one is far below half an ulp of the larger.
 */
static uint64_t mma_accumulate(uint64_t code, const uint8_t *old, unsigned type,
                               const struct mma_fmt *f)
{
    uint8_t bytes[8];

    memcpy(bytes, &code, sizeof(bytes));
    return mma_encode(mma_decode(bytes, type) + mma_decode(old, type), f);
}

static bool mma_read_scales(struct mma_scratch *s, const struct s5000_mma *d,
                            const struct emu_mma_mem *mem)
{
    unsigned na = d->flags & S5000_MMA_SCALE_A_ROWS ? d->m : 1;
    unsigned nb = d->flags & S5000_MMA_SCALE_B_BLOCKS ? (d->n + 127u) / 128u : 1;

    s->t.store.scale_a[0] = s->t.store.scale_b[0] = 1.0f;
    if (d->scale_a && !mem->read(mem->opaque, d->scale_a, s->t.store.scale_a, na * 4))
        return false;
    return !d->scale_b || mem->read(mem->opaque, d->scale_b, s->t.store.scale_b, nb * 4);
}

static void mma_store_row(struct mma_scratch *s, const struct s5000_mma *d, unsigned i)
{
    const struct mma_fmt *f = mma_out_fmt(d->out_type);
    unsigned size = mma_type_size(d->out_type);
    float sa = s->t.store.scale_a[d->flags & S5000_MMA_SCALE_A_ROWS ? i : 0];

    for (unsigned j = 0; j < d->n; j++) {
        float sb = s->t.store.scale_b[d->flags & S5000_MMA_SCALE_B_BLOCKS ? j / 128 : 0];
        /* Two floats multiply exactly in double. */
        uint64_t code = mma_store_element(mma_acc_value(s, d->acc_type, i, j),
                                          (double)sa * sb, f);

        if (d->flags & S5000_MMA_ACCUMULATE)
            code = mma_accumulate(code, &s->t.store.old[i][j * size], d->out_type, f);
        memcpy(&s->t.store.row[j * size], &code, size);
    }
}

static int mma_store(struct mma_scratch *s, const struct s5000_mma *d,
                     const struct emu_mma_mem *mem)
{
    unsigned accsz = mma_acc_size(d->acc_type), size = mma_type_size(d->out_type);
    size_t row = (size_t)d->n * size;

    if (!mma_read_rows(mem, d->acc, d->m, (size_t)d->n * accsz, (uint64_t)d->ldacc * accsz,
                       &s->acc, (size_t)MMA_N * accsz) ||
        !mma_read_scales(s, d, mem))
        return -1;
    if ((d->flags & S5000_MMA_ACCUMULATE) &&
        !mma_read_rows(mem, d->out, d->m, row, (uint64_t)d->ldout * size, s->t.store.old,
                       sizeof(s->t.store.old[0])))
        return -1;
    for (unsigned i = 0; i < d->m; i++) {
        mma_store_row(s, d, i);
        if (!mem->write(mem->opaque, d->out + (uint64_t)i * d->ldout * size, s->t.store.row,
                        row))
            return -1;
    }
    if (!(d->flags & S5000_MMA_CLEAR))
        return 0;
    /* Every row from one zero row. */
    memset(&s->acc, 0, (size_t)d->n * accsz);
    return mma_write_rows(mem, d->acc, d->m, (size_t)d->n * accsz, (uint64_t)d->ldacc * accsz,
                          &s->acc, 0) ? 0 : -1;
}

int emu_mma_run(const struct s5000_mma *d, const struct emu_mma_mem *mem)
{
    struct mma_scratch *s;

    if (!mma_valid(d))
        return S5000_KFAULT_BAD_MMA;
    pthread_once(&mma_once, mma_init);
    s = mma_scratch();
    if (!s)
        return -1;
    return d->op == S5000_MMA_OP_MMA ? mma_multiply(s, d, mem) : mma_store(s, d, mem);
}
