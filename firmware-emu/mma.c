// SPDX-License-Identifier: MIT
/*
 * The tensor core (mma.h): one struct s5000_mma at a time, with the numerics of
 * uapi/s5000-mma.md. This file checks descriptors, reads operands (in place where
 * the memory maps them, emu_mma_mem.map) and the accumulator (updated in place where
 * mapped, else copied in and out), picks the accumulator's kernels (mma_float.c,
 * mma_exact.c), and runs STORE: one rounding of every scaled value, by the host's
 * own arithmetic where that provably gives it, else by exact integer arithmetic.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mma_internal.h"

/*
 * The most bytes one map of strided rows may span: past that (rows far apart), the
 * pages between them are not worth looking up.
 */
#define MMA_MAX_SPAN        (1u << 20)

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
static bool mma_cpu_avx512;
static bool mma_cpu_bf16;
static atomic_bool mma_simd_wanted = true;
static atomic_bool mma_avx512_wanted = true;
float mma_fp8_f32[2][256];

/* ---------------------------------------------------------------- set-up */

static void mma_free_scratch(void *p)
{
    free(p);
}

static void mma_init(void)
{
    for (unsigned c = 0; c < 256; c++) {
        mma_fp8_f32[0][c] = s5000_e4m3_to_f32((unsigned char)c);
        mma_fp8_f32[1][c] = s5000_e5m2_to_f32((unsigned char)c);
    }
#ifdef MMA_X86
    mma_cpu_simd = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    mma_cpu_avx512 = mma_cpu_simd && __builtin_cpu_supports("avx512f") &&
                     __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                     __builtin_cpu_supports("avx512dq");
    mma_cpu_bf16 = mma_cpu_avx512 && __builtin_cpu_supports("avx512bf16");
#endif
    mma_scratch_key_ok = !pthread_key_create(&mma_scratch_key, mma_free_scratch);
    if (!mma_scratch_key_ok)
        emu_err("mma: no thread key for scratch tiles");
}

bool emu_mma_set_simd(bool enable)
{
    return atomic_exchange(&mma_simd_wanted, enable);
}

bool mma_simd(void)
{
    return mma_cpu_simd && atomic_load_explicit(&mma_simd_wanted, memory_order_relaxed);
}

/* AVX2 and FMA, and AVX-512's F, BW, VL and DQ: 512-bit vectors with masks. */
bool emu_mma_set_avx512(bool enable)
{
    return atomic_exchange(&mma_avx512_wanted, enable);
}

bool mma_avx512(void)
{
    return mma_cpu_avx512 && mma_simd() &&
           atomic_load_explicit(&mma_avx512_wanted, memory_order_relaxed);
}

bool mma_avx512_bf16(void)
{
    return mma_cpu_bf16 && mma_avx512();
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
    unsigned flags = S5000_MMA_B_TRANS | S5000_MMA_ZERO |
                     (hopper ? S5000_MMA_PROMOTE | S5000_MMA_FLOOR : 0);
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

/*
 * All rows rows of row_bytes, stride bytes apart, in place by one map of the range
 * they span (gaps included: mapping reads nothing), if the memory maps that range.
 */
static bool mma_map_span(const struct emu_mma_mem *mem, uint64_t addr, unsigned rows,
                         size_t row_bytes, uint64_t stride, bool write, void **ptr)
{
    uint64_t span = (uint64_t)(rows - 1) * stride + row_bytes;
    uint8_t *base;

    if (!mem->map || rows < 2 || stride < row_bytes || span > MMA_MAX_SPAN)
        return false;
    base = mem->map(mem->opaque, addr, span, write);
    for (unsigned r = 0; base && r < rows; r++)
        ptr[r] = base + r * stride;
    return base != NULL;
}

/*
 * rows operand rows of row_bytes, stride bytes apart: in place where the memory maps
 * them, else copied into buf (row_bytes apart); their addresses into ptr.
 */
static bool mma_operand_rows(const struct emu_mma_mem *mem, uint64_t addr, unsigned rows,
                             size_t row_bytes, uint64_t stride, uint8_t *buf,
                             const uint8_t **ptr)
{
    if (mma_map_span(mem, addr, rows, row_bytes, stride, false, (void **)ptr))
        return true;
    for (unsigned r = 0; r < rows; r++) {
        uint64_t at = addr + r * stride;
        void *p = mem->map ? mem->map(mem->opaque, at, row_bytes, false) : NULL;

        if (!p) {
            p = buf + r * row_bytes;
            if (!mem->read(mem->opaque, at, p, row_bytes))
                return false;
        }
        ptr[r] = p;
    }
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

#ifdef MMA_X86
MMA_AVX512
static void mma_fp8_to_f32_avx512(const float *lut, const uint8_t *src, float *dst,
                                  unsigned count)
{
    __m512 t[8];

    mma_fp8_table(lut, t);
    for (unsigned i = 0; i < count; i += 16) {
        __mmask16 in = mma_lanes16(count, i);

        _mm512_mask_storeu_ps(dst + i, in, mma_fp8_decode16(t, _mm_maskz_loadu_epi8(in, src + i)));
    }
}

/*
 * FP16 to floats sixteen at a time by the host's conversion, which is exact; a NaN
 * then gets every fraction bit set, as s5000_f16_to_f32() gives it.
 */
MMA_AVX512
static void mma_f16_to_f32_avx512(const uint8_t *src, float *dst, unsigned count)
{
    for (unsigned i = 0; i < count; i += 16) {
        __mmask16 in = mma_lanes16(count, i);
        __m512 v = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(in, src + 2 * i));
        __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        __m512i bits = _mm512_mask_or_epi32(_mm512_castps_si512(v), nan, _mm512_castps_si512(v),
                                            _mm512_set1_epi32(0x007fffff));

        _mm512_mask_storeu_ps(dst + i, in, _mm512_castsi512_ps(bits));
    }
}

/* Floats sixteen at a time (a row of A is eight at most: one masked move). */
MMA_AVX512
static void mma_copy_f32_avx512(const uint8_t *src, float *dst, unsigned count)
{
    for (unsigned i = 0; i < count; i += 16) {
        __mmask16 in = mma_lanes16(count, i);

        _mm512_mask_storeu_ps(dst + i, in, _mm512_maskz_loadu_ps(in, src + 4 * i));
    }
}
#endif

/* count contiguous operands to floats. */
MMA_VECTORISE
void mma_to_f32(unsigned type, const uint8_t *src, float *restrict dst, unsigned count)
{
    const float *lut;
    uint16_t h;
    uint32_t u;

    switch (type) {
    case S5000_MMA_E4M3:
    case S5000_MMA_E5M2:
        lut = mma_fp8_f32[type - S5000_MMA_E4M3];
#ifdef MMA_X86
        if (mma_avx512()) {
            mma_fp8_to_f32_avx512(lut, src, dst, count);
            break;
        }
#endif
        for (unsigned i = 0; i < count; i++)
            dst[i] = lut[src[i]];
        break;
    case S5000_MMA_F16:
#ifdef MMA_X86
        if (mma_avx512()) {
            mma_f16_to_f32_avx512(src, dst, count);
            break;
        }
#endif
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
#ifdef MMA_X86
        if (mma_avx512()) {
            mma_copy_f32_avx512(src, dst, count);
            break;
        }
#endif
        /* Rows of a few floats: a loop beats a call to memcpy. */
        for (unsigned i = 0; i < count; i++)
            memcpy(&dst[i], src + 4 * i, 4);
        break;
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
    if (mma_map_span(mem, d->acc, d->m, (size_t)d->n * accsz, (uint64_t)d->ldacc * accsz, true,
                     rows))
        return (uintptr_t)rows[0] % align == 0;
    for (unsigned i = 0; i < d->m; i++) {
        rows[i] = mem->map(mem->opaque, d->acc + (uint64_t)i * d->ldacc * accsz,
                           (size_t)d->n * accsz, true);
        if (!rows[i] || (uintptr_t)rows[i] % align)
            return false;
    }
    return true;
}

/* Whether host ranges of rows rows, each bytes long, and of the accumulator's rows meet. */
static bool mma_overlap(const uint8_t *const *rows, unsigned count, size_t bytes,
                        void *const *acc, unsigned m, size_t acc_bytes)
{
    uintptr_t lo = UINTPTR_MAX, hi = 0, acc_lo = UINTPTR_MAX, acc_hi = 0;

    for (unsigned r = 0; r < count; r++) {
        lo = (uintptr_t)rows[r] < lo ? (uintptr_t)rows[r] : lo;
        hi = (uintptr_t)rows[r] + bytes > hi ? (uintptr_t)rows[r] + bytes : hi;
    }
    for (unsigned i = 0; i < m; i++) {
        acc_lo = (uintptr_t)acc[i] < acc_lo ? (uintptr_t)acc[i] : acc_lo;
        acc_hi = (uintptr_t)acc[i] + acc_bytes > acc_hi ? (uintptr_t)acc[i] + acc_bytes : acc_hi;
    }
    return lo < acc_hi && acc_lo < hi;
}

static int mma_multiply(struct mma_scratch *s, const struct s5000_mma *d,
                        const struct emu_mma_mem *mem)
{
    unsigned asz = mma_type_size(d->a_type), bsz = mma_type_size(d->b_type);
    unsigned accsz = mma_acc_size(d->acc_type);
    bool trans = d->flags & S5000_MMA_B_TRANS, zero = d->flags & S5000_MMA_ZERO, mapped;
    size_t b_row = (size_t)(trans ? d->k : d->n) * bsz, acc_row = (size_t)d->n * accsz;
    uint64_t acc_stride = (uint64_t)d->ldacc * accsz;
    void *rows[MMA_M];

    if (!mma_operand_rows(mem, d->a, d->m, (size_t)d->k * asz, (uint64_t)d->lda * asz,
                          s->raw_a, s->a_rows) ||
        !mma_operand_rows(mem, d->b, trans ? d->n : d->k, b_row, (uint64_t)d->ldb * bsz,
                          s->raw_b, s->b_rows))
        return -1;
    /* After the last read that can fail: updating in place writes nothing early. */
    mapped = mma_map_acc(d, mem, rows);
    if (!mapped) {
        if (!zero && !mma_read_rows(mem, d->acc, d->m, acc_row, acc_stride, &s->acc,
                                    (size_t)MMA_N * accsz))
            return -1;
        for (unsigned i = 0; i < d->m; i++)
            rows[i] = (uint8_t *)&s->acc + (size_t)i * MMA_N * accsz;
    }
    /* Kernels read B in place only where the accumulator does not overlap it. */
    s->b_alias = mapped && mma_overlap(s->b_rows, trans ? d->n : d->k, b_row, rows, d->m,
                                       acc_row);
    for (unsigned i = 0; zero && i < d->m; i++)
        memset(rows[i], 0, acc_row);
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

/*
 * The accumulator's value as a double, where that is exact: always but for an exact
 * accumulator of 2^53 units or more, or an Inf or NaN one.
 */
static bool mma_acc_double(const struct mma_scratch *s, unsigned type, unsigned i, unsigned j,
                           double *x)
{
    const struct mma_hopper_acc *h;
    i128 v;

    switch (type) {
    case S5000_MMA_ACC_EXACT:
        v = s->acc.exact[i][j];
        if (v >= (i128)1 << 53 || v <= -((i128)1 << 53))
            return false;
        *x = (double)(int64_t)v * 0x1p-48;
        return true;
    case S5000_MMA_ACC_F32:
        *x = s->acc.f32[i][j];
        return true;
    case S5000_MMA_ACC_F64:
        *x = s->acc.f64[i][j];
        return true;
    default:
        h = &s->acc.hopper[i][j];
        *x = (float)(h->main + h->partial);
        return true;
    }
}

/*
 * x * scale rounded once, by the host's multiplication and conversions, where they
 * provably give that: the double product p is itself correctly rounded; rounding it
 * again into a narrower format is a second rounding only if the product was inexact
 * and p lies exactly halfway between two values of the format (or among its
 * subnormals, whose halfway points lie elsewhere). False: take the exact path.
 */
static bool mma_store_fast(double x, double scale, const struct mma_fmt *f, uint64_t *code)
{
    double p = x * scale;
    uint64_t u = s5000_fp_f64_bits(p), tail = u & ((1ull << (52 - f->mbits)) - 1);

    if (!isfinite(x) || !isfinite(scale))
        return false;
    if (f->bits == 64) {
        *code = u;
        return true;
    }
    if (fma(x, scale, -p) != 0 &&
        (fabs(p) < mma_pow2(f->emin) || tail == 1ull << (51 - f->mbits)))
        return false;
    *code = f->bits == 32 ? s5000_fp_f32_bits((float)p) : mma_encode(p, f);
    return true;
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
    double sum;

    memcpy(bytes, &code, sizeof(bytes));
    sum = mma_decode(bytes, type) + mma_decode(old, type);
    /* The host's conversion rounds the same, but for NaN's bits. */
    if (f->bits == 32 && !isnan(sum))
        return s5000_fp_f32_bits((float)sum);
    return mma_encode(sum, f);
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

/*
 * An exact accumulator below 2^63 units times a power of two, into FP32 by the
 * host's conversions: int64 to double rounds once, scaling is exact, and rounding
 * that double to FP32 again is wrong only when the first rounding was inexact and
 * left it halfway between two floats (or among their subnormals). False otherwise.
 */
static bool mma_exact_f32(i128 v, double scale, uint32_t *out)
{
    uint64_t mag = v < 0 ? -(uint64_t)(int64_t)v : (uint64_t)(int64_t)v;
    int bits = mag ? 64 - __builtin_clzll(mag) : 0;
    bool exact = bits <= 53 || !(mag & ((1ull << (bits - 53)) - 1));
    double x;

    if (v >= (i128)1 << 63 || v <= -((i128)1 << 63))
        return false;
    x = (double)(int64_t)v * scale;
    if (!exact && (fabs(x) < 0x1p-126 ||
                   (s5000_fp_f64_bits(x) & 0x1fffffffull) == 0x10000000ull))
        return false;
    *out = s5000_fp_f32_bits((float)x);
    return true;
}

#ifdef MMA_X86
/*
 * mma_exact_f32() for eight accumulators at v, into out; false, having stored
 * nothing, if one of them needs the exact path.
 */
MMA_AVX512
static bool mma_exact_f32x8(const i128 *v, double scale, uint32_t *out)
{
    const __m512i even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    __m512i v0 = _mm512_loadu_si512(v), v1 = _mm512_loadu_si512(v + 4);
    __m512i lo = _mm512_permutex2var_epi64(v0, even, v1);
    __m512i hi = _mm512_permutex2var_epi64(v0, odd, v1);
    __m512d x = _mm512_cvtepi64_pd(lo), xs = _mm512_mul_pd(x, _mm512_set1_pd(scale));
    __m512i bits = _mm512_castpd_si512(xs);
    /* Below 2^63 in magnitude: the high word is the low one's sign. */
    __mmask8 fits = _mm512_cmpeq_epi64_mask(hi, _mm512_srai_epi64(lo, 63));
    __mmask8 exact = _mm512_cmpeq_epi64_mask(_mm512_cvttpd_epi64(x), lo);
    __mmask8 half = _mm512_cmpeq_epi64_mask(_mm512_and_si512(bits, _mm512_set1_epi64(0x1fffffff)),
                                            _mm512_set1_epi64(0x10000000));
    __mmask8 tiny = _mm512_cmplt_pd_mask(_mm512_abs_pd(xs), _mm512_set1_pd(0x1p-126));

    if (fits != 0xff || (~exact & (half | tiny)))
        return false;
    _mm256_storeu_ps((float *)out, _mm512_cvtpd_ps(xs));
    return true;
}
#endif

/*
 * Columns [j0, j1) of row i into FP32, where the host's conversion is the one
 * rounding: float accumulators times a scale that is a float (their product is exact
 * in double), exact ones times a power of two (mma_exact_f32()). False otherwise.
 */
static bool mma_store_span_f32(const struct mma_scratch *s, unsigned acc_type, unsigned i,
                               unsigned j0, unsigned j1, double scale, uint32_t *out)
{
    int e;

    if (acc_type == S5000_MMA_ACC_F32 && (double)(float)scale == scale) {
        for (unsigned j = j0; j < j1; j++) {
            float r = (float)(s->acc.f32[i][j] * scale);

            out[j] = isnan(r) ? 0x7fffffffu : s5000_fp_f32_bits(r);
        }
        return true;
    }
    if (acc_type != S5000_MMA_ACC_EXACT || frexp(scale, &e) != 0.5)
        return false;
    for (unsigned j = j0; j < j1; j++) {
#ifdef MMA_X86
        if (j % 8 == 0 && j + 8 <= j1 && mma_avx512() &&
            mma_exact_f32x8(&s->acc.exact[i][j], scale * 0x1p-48, &out[j])) {
            j += 7;
            continue;
        }
#endif
        if (!mma_exact_f32(s->acc.exact[i][j], scale * 0x1p-48, &out[j]))
            out[j] = (uint32_t)mma_store_element(mma_acc_value(s, acc_type, i, j), scale,
                                                 &mma_fmt_f32);
    }
    return true;
}

/* Columns [j0, j1) of row i, which share one scale, into t.store.row. */
static void mma_store_span(struct mma_scratch *s, const struct s5000_mma *d, unsigned i,
                           unsigned j0, unsigned j1, double scale)
{
    const struct mma_fmt *f = mma_out_fmt(d->out_type);
    unsigned size = mma_type_size(d->out_type);
    double x;

    if (d->out_type == S5000_MMA_F32 &&
        mma_store_span_f32(s, d->acc_type, i, j0, j1, scale, (uint32_t *)s->t.store.row))
        return;
    for (unsigned j = j0; j < j1; j++) {
        uint64_t code;

        if (!mma_acc_double(s, d->acc_type, i, j, &x) || !mma_store_fast(x, scale, f, &code))
            code = mma_store_element(mma_acc_value(s, d->acc_type, i, j), scale, f);
        memcpy(&s->t.store.row[j * size], &code, size);
    }
}

static void mma_store_row(struct mma_scratch *s, const struct s5000_mma *d, unsigned i)
{
    const struct mma_fmt *f = mma_out_fmt(d->out_type);
    unsigned size = mma_type_size(d->out_type);
    unsigned span = d->flags & S5000_MMA_SCALE_B_BLOCKS ? 128 : d->n;
    float sa = s->t.store.scale_a[d->flags & S5000_MMA_SCALE_A_ROWS ? i : 0];
    uint64_t code = 0;

    /* Two floats multiply exactly in double. */
    for (unsigned j0 = 0; j0 < d->n; j0 += span)
        mma_store_span(s, d, i, j0, j0 + span < d->n ? j0 + span : d->n,
                       (double)sa * s->t.store.scale_b[j0 / span]);
    if (!(d->flags & S5000_MMA_ACCUMULATE))
        return;
    for (unsigned j = 0; j < d->n; j++) {
        memcpy(&code, &s->t.store.row[j * size], size);
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
