// SPDX-License-Identifier: MIT
/*
 * The F and D extensions over a warp.
 *
 * Arithmetic that rounds takes one of two paths. When every lane rounds to nearest
 * even (the default), the host computes it: the same IEEE results, and flags read
 * from the host once for the whole warp. Those flags are only attributed lane by lane
 * (the instruction recomputed per lane) when they hold one that some lane has not
 * accrued yet, which after the first few instructions of a kernel is rare. Any other
 * rounding mode goes to softfp.c, lane by lane. Results that are NaN are the
 * canonical NaN; single values live NaN-boxed in the 64-bit f registers.
 *
 * Everything that does not round (sign injection, min/max, compares, classify,
 * moves, conversions to integers) is computed here from the bits, flags included.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "simt_internal.h"

#define BOX_MASK        0xffffffff00000000ull
#define SIGN32          0x80000000u
#define SIGN64          0x8000000000000000ull

/* ------------------------------------------------------------- host flags */

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

/* MXCSR: IE 0x01, DE 0x02 (no IEEE flag), ZE 0x04, OE 0x08, UE 0x10, PE 0x20. */
static inline void host_clear(void)
{
    __asm__ __volatile__("" ::: "memory");
    _mm_setcsr(_mm_getcsr() & ~0x3fu);
    __asm__ __volatile__("" ::: "memory");
}

static inline unsigned int host_flags(void)
{
    unsigned int csr;

    __asm__ __volatile__("" ::: "memory");
    csr = _mm_getcsr();
    return (csr & 0x01 ? EMU_FFLAG_NV : 0) | (csr & 0x04 ? EMU_FFLAG_DZ : 0) |
           (csr & 0x08 ? EMU_FFLAG_OF : 0) | (csr & 0x10 ? EMU_FFLAG_UF : 0) |
           (csr & 0x20 ? EMU_FFLAG_NX : 0);
}
#else
static inline void host_clear(void)
{
    __asm__ __volatile__("" ::: "memory");
    feclearexcept(FE_ALL_EXCEPT);
    __asm__ __volatile__("" ::: "memory");
}

static inline unsigned int host_flags(void)
{
    int x;

    __asm__ __volatile__("" ::: "memory");
    x = fetestexcept(FE_ALL_EXCEPT);
    return (x & FE_INVALID ? EMU_FFLAG_NV : 0) | (x & FE_DIVBYZERO ? EMU_FFLAG_DZ : 0) |
           (x & FE_OVERFLOW ? EMU_FFLAG_OF : 0) | (x & FE_UNDERFLOW ? EMU_FFLAG_UF : 0) |
           (x & FE_INEXACT ? EMU_FFLAG_NX : 0);
}
#endif

/* ----------------------------------------------------------------- values */

/* A single from an f register: improperly boxed values read as the canonical NaN. */
static inline uint32_t unbox(uint64_t v)
{
    return (v & BOX_MASK) == BOX_MASK ? (uint32_t)v : EMU_F32_CANONICAL_NAN;
}

static inline uint64_t box(uint32_t v)
{
    return BOX_MASK | v;
}

static inline float f32(uint64_t v)
{
    uint32_t bits = unbox(v);
    float f;

    memcpy(&f, &bits, sizeof(f));
    return f;
}

static inline double f64(uint64_t v)
{
    double d;

    memcpy(&d, &v, sizeof(d));
    return d;
}

/* NaN tests on the bits: a float compare would be a branch the compiler cannot vectorise. */
static inline uint64_t box_f32(float f)
{
    uint32_t bits;

    memcpy(&bits, &f, sizeof(bits));
    return box((bits & 0x7fffffffu) > 0x7f800000u ? EMU_F32_CANONICAL_NAN : bits);
}

static inline uint64_t bits_f64(double d)
{
    uint64_t bits;

    memcpy(&bits, &d, sizeof(bits));
    return (bits & ~SIGN64) > 0x7ff0000000000000ull ? EMU_F64_CANONICAL_NAN : bits;
}

static bool is_nan32(uint32_t v)  { return (v & 0x7fffffffu) > 0x7f800000u; }
static bool is_snan32(uint32_t v) { return is_nan32(v) && !(v & 0x00400000u); }
static bool is_nan64(uint64_t v)  { return (v & ~SIGN64) > 0x7ff0000000000000ull; }
static bool is_snan64(uint64_t v) { return is_nan64(v) && !(v & 0x0008000000000000ull); }

/* ----------------------------------------------------------- lane helpers */

#define EACH_LANE(l, ...) do {                                              \
    for (uint32_t m_ = mask; m_; m_ &= m_ - 1) {                            \
        unsigned int l = (unsigned int)__builtin_ctz(m_);                   \
        __VA_ARGS__;                                                        \
    }                                                                       \
} while (0)

#define ALL_LANES(l, ...) do {                                              \
    if (mask == SIMT_FULL) {                                                \
        SIMT_VECTOR_LOOP                                                    \
        for (unsigned int l = 0; l < SIMT_LANES; l++) { __VA_ARGS__; }      \
    } else {                                                                \
        EACH_LANE(l, __VA_ARGS__);                                          \
    }                                                                       \
} while (0)

/* Flags every lane of mask has accrued already. */
static unsigned int common_flags(const struct simt_warp *w, uint32_t mask)
{
    unsigned int all = 0x1f;

    EACH_LANE(l, all &= w->fflags[l]);
    return all;
}

/* The rounding mode of each lane; false if one is not a valid mode. */
static bool lane_modes(const struct simt_warp *w, const struct simt_insn *in, uint32_t mask,
                       uint8_t *rm)
{
    bool valid = true;

    EACH_LANE(l, rm[l] = in->rm == EMU_RM_DYN ? w->frm[l] : in->rm;
                 valid &= rm[l] <= EMU_RM_RMM);
    return valid;
}

static bool all_rne(const struct simt_warp *w, const struct simt_insn *in, uint32_t mask)
{
    return in->rm == EMU_RM_RNE || (in->rm == EMU_RM_DYN && !(w->frm_set & mask));
}

/*
 * RISC-V signals invalid for inf * 0 + qNaN, where IEEE lets the host (x86) stay
 * quiet: a fused instruction with a NaN addend in some lane goes to softfp.
 */
static inline __attribute__((always_inline))
bool nan_addend(const uint64_t *c, uint32_t mask, bool single)
{
    unsigned int nan = 0;

    ALL_LANES(l, nan |= single ? is_nan32(unbox(c[l])) : is_nan64(c[l]));
    return nan;
}

/*
 * An operation that rounds: HOST computes lane l in the host's round-to-nearest-even,
 * SOFT in rounding mode rm[l] with flags into fl. Both read a, b, c and fill out[l].
 * The host may compute it if every lane rounds to nearest even and HOST_OK holds.
 */
#define ROUNDED_IF(HOST_OK, HOST, SOFT) do {                                \
    if (all_rne(w, in, mask) && (HOST_OK)) {                                \
        host_clear();                                                       \
        ALL_LANES(l, out[l] = (HOST));                                      \
        if (host_flags() & ~common_flags(w, mask)) {                        \
            EACH_LANE(l, host_clear(); out[l] = (HOST);                     \
                         w->fflags[l] |= (uint8_t)host_flags());            \
        }                                                                   \
    } else {                                                                \
        if (!lane_modes(w, in, mask, rm))                                   \
            return false;                                                   \
        EACH_LANE(l, unsigned int fl = 0; out[l] = (SOFT);                  \
                     w->fflags[l] |= (uint8_t)fl);                          \
    }                                                                       \
} while (0)

#define ROUNDED(HOST, SOFT) ROUNDED_IF(true, HOST, SOFT)
#define FUSED(HOST, SOFT) ROUNDED_IF(!nan_addend(c, mask, single), HOST, SOFT)

/* ------------------------------------------------------------ arithmetic */

/*
 * The arithmetic is compiled twice: plainly, and for hosts with FMA instructions, where
 * fmaf() and fma() become one instruction instead of a library call (same results).
 */
static inline __attribute__((always_inline))
bool arith_s(struct simt_warp *w, const struct simt_insn *in, uint32_t mask, uint64_t *out)
{
    const uint64_t *a = w->f[in->rs1], *b = w->f[in->rs2], *c = w->f[in->rs3];
    const bool single = true;
    uint8_t rm[SIMT_LANES];

    switch (in->sub) {
    case SIMT_FP_FADD_S:
        ROUNDED(box_f32(f32(a[l]) + f32(b[l])),
                box(emu_sf32_add(unbox(a[l]), unbox(b[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FSUB_S:
        ROUNDED(box_f32(f32(a[l]) - f32(b[l])),
                box(emu_sf32_sub(unbox(a[l]), unbox(b[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FMUL_S:
        ROUNDED(box_f32(f32(a[l]) * f32(b[l])),
                box(emu_sf32_mul(unbox(a[l]), unbox(b[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FDIV_S:
        ROUNDED(box_f32(f32(a[l]) / f32(b[l])),
                box(emu_sf32_div(unbox(a[l]), unbox(b[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FSQRT_S:
        ROUNDED(box_f32(sqrtf(f32(a[l]))), box(emu_sf32_sqrt(unbox(a[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FMADD_S:
        FUSED(box_f32(fmaf(f32(a[l]), f32(b[l]), f32(c[l]))),
                box(emu_sf32_fma(unbox(a[l]), unbox(b[l]), unbox(c[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FMSUB_S:
        FUSED(box_f32(fmaf(f32(a[l]), f32(b[l]), -f32(c[l]))),
                box(emu_sf32_fma(unbox(a[l]), unbox(b[l]), unbox(c[l]) ^ SIGN32, rm[l], &fl)));
        break;
    case SIMT_FP_FNMSUB_S:
        FUSED(box_f32(fmaf(-f32(a[l]), f32(b[l]), f32(c[l]))),
                box(emu_sf32_fma(unbox(a[l]) ^ SIGN32, unbox(b[l]), unbox(c[l]), rm[l], &fl)));
        break;
    case SIMT_FP_FNMADD_S:
        FUSED(box_f32(fmaf(-f32(a[l]), f32(b[l]), -f32(c[l]))),
                box(emu_sf32_fma(unbox(a[l]) ^ SIGN32, unbox(b[l]), unbox(c[l]) ^ SIGN32,
                                 rm[l], &fl)));
        break;
    }
    return true;
}

static inline __attribute__((always_inline))
bool arith_d(struct simt_warp *w, const struct simt_insn *in, uint32_t mask, uint64_t *out)
{
    const uint64_t *a = w->f[in->rs1], *b = w->f[in->rs2], *c = w->f[in->rs3];
    const bool single = false;
    uint8_t rm[SIMT_LANES];

    switch (in->sub) {
    case SIMT_FP_FADD_D:
        ROUNDED(bits_f64(f64(a[l]) + f64(b[l])), emu_sf64_add(a[l], b[l], rm[l], &fl));
        break;
    case SIMT_FP_FSUB_D:
        ROUNDED(bits_f64(f64(a[l]) - f64(b[l])), emu_sf64_sub(a[l], b[l], rm[l], &fl));
        break;
    case SIMT_FP_FMUL_D:
        ROUNDED(bits_f64(f64(a[l]) * f64(b[l])), emu_sf64_mul(a[l], b[l], rm[l], &fl));
        break;
    case SIMT_FP_FDIV_D:
        ROUNDED(bits_f64(f64(a[l]) / f64(b[l])), emu_sf64_div(a[l], b[l], rm[l], &fl));
        break;
    case SIMT_FP_FSQRT_D:
        ROUNDED(bits_f64(sqrt(f64(a[l]))), emu_sf64_sqrt(a[l], rm[l], &fl));
        break;
    case SIMT_FP_FMADD_D:
        FUSED(bits_f64(fma(f64(a[l]), f64(b[l]), f64(c[l]))),
                emu_sf64_fma(a[l], b[l], c[l], rm[l], &fl));
        break;
    case SIMT_FP_FMSUB_D:
        FUSED(bits_f64(fma(f64(a[l]), f64(b[l]), -f64(c[l]))),
                emu_sf64_fma(a[l], b[l], c[l] ^ SIGN64, rm[l], &fl));
        break;
    case SIMT_FP_FNMSUB_D:
        FUSED(bits_f64(fma(-f64(a[l]), f64(b[l]), f64(c[l]))),
                emu_sf64_fma(a[l] ^ SIGN64, b[l], c[l], rm[l], &fl));
        break;
    case SIMT_FP_FNMADD_D:
        FUSED(bits_f64(fma(-f64(a[l]), f64(b[l]), -f64(c[l]))),
                emu_sf64_fma(a[l] ^ SIGN64, b[l], c[l] ^ SIGN64, rm[l], &fl));
        break;
    }
    return true;
}

static bool arith(struct simt_warp *w, const struct simt_insn *in, uint32_t mask, uint64_t *out)
{
    return in->sub & 1 ? arith_d(w, in, mask, out) : arith_s(w, in, mask, out);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma")))
static bool arith_fma(struct simt_warp *w, const struct simt_insn *in, uint32_t mask,
                      uint64_t *out)
{
    return in->sub & 1 ? arith_d(w, in, mask, out) : arith_s(w, in, mask, out);
}

static bool host_arith(struct simt_warp *w, const struct simt_insn *in, uint32_t mask,
                       uint64_t *out)
{
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return arith_fma(w, in, mask, out);
    return arith(w, in, mask, out);
}
#else
#define host_arith arith
#endif

/* Conversions that round: from integers (x registers) and binary64 to binary32. */
static bool convert_rounded(struct simt_warp *w, const struct simt_insn *in, uint32_t mask,
                            uint64_t *out)
{
    const uint64_t *x = w->x[in->rs1], *a = w->f[in->rs1];
    uint8_t rm[SIMT_LANES];

    switch (in->sub) {
    case SIMT_FP_FCVT_S_W:
        ROUNDED(box_f32((float)(int32_t)x[l]),
                box(emu_sf_i64_to_f32((int32_t)x[l], rm[l], &fl)));
        break;
    case SIMT_FP_FCVT_S_WU:
        ROUNDED(box_f32((float)(uint32_t)x[l]),
                box(emu_sf_u64_to_f32((uint32_t)x[l], rm[l], &fl)));
        break;
    case SIMT_FP_FCVT_S_L:
        ROUNDED(box_f32((float)(int64_t)x[l]),
                box(emu_sf_i64_to_f32((int64_t)x[l], rm[l], &fl)));
        break;
    case SIMT_FP_FCVT_S_LU:
        ROUNDED(box_f32((float)x[l]), box(emu_sf_u64_to_f32(x[l], rm[l], &fl)));
        break;
    case SIMT_FP_FCVT_D_L:
        ROUNDED(bits_f64((double)(int64_t)x[l]), emu_sf_i64_to_f64((int64_t)x[l], rm[l], &fl));
        break;
    case SIMT_FP_FCVT_D_LU:
        ROUNDED(bits_f64((double)x[l]), emu_sf_u64_to_f64(x[l], rm[l], &fl));
        break;
    case SIMT_FP_FCVT_S_D:
        ROUNDED(box_f32((float)f64(a[l])), box(emu_sf_f64_to_f32(a[l], rm[l], &fl)));
        break;
    }
    return true;
}

/* ------------------------------------------------------------ exact ops */

/* RISC-V 2.2 fmin/fmax: a NaN operand loses to a number; -0 is below +0. */
static uint64_t minmax(uint64_t a, uint64_t b, bool is_max, bool single, uint8_t *flags)
{
    bool nan_a = single ? is_nan32((uint32_t)a) : is_nan64(a);
    bool nan_b = single ? is_nan32((uint32_t)b) : is_nan64(b);
    bool snan = single ? is_snan32((uint32_t)a) || is_snan32((uint32_t)b)
                       : is_snan64(a) || is_snan64(b);
    uint64_t sign = single ? SIGN32 : SIGN64;
    bool a_less;

    if (snan)
        *flags |= EMU_FFLAG_NV;
    if (nan_a && nan_b)
        return single ? EMU_F32_CANONICAL_NAN : EMU_F64_CANONICAL_NAN;
    if (nan_a || nan_b)
        return nan_a ? b : a;
    if (((a | b) & ~sign) == 0)
        a_less = a & sign;          /* two zeros: the negative one is smaller */
    else
        a_less = single ? f32(box((uint32_t)a)) < f32(box((uint32_t)b)) : f64(a) < f64(b);
    return a_less != is_max ? a : b;
}

/* feq (quiet: only signalling NaNs are invalid), flt and fle (any NaN is invalid). */
static uint64_t compare(uint64_t a, uint64_t b, unsigned int op, bool single, uint8_t *flags)
{
    bool nan = single ? is_nan32((uint32_t)a) || is_nan32((uint32_t)b)
                      : is_nan64(a) || is_nan64(b);
    bool snan = single ? is_snan32((uint32_t)a) || is_snan32((uint32_t)b)
                       : is_snan64(a) || is_snan64(b);
    double x = single ? f32(box((uint32_t)a)) : f64(a);
    double y = single ? f32(box((uint32_t)b)) : f64(b);

    if (nan) {
        if (snan || op != SIMT_FP_FEQ_S)
            *flags |= EMU_FFLAG_NV;
        return 0;
    }
    if (op == SIMT_FP_FEQ_S)
        return x == y;
    return op == SIMT_FP_FLT_S ? x < y : x <= y;
}

static uint64_t classify(uint64_t v, bool single)
{
    bool neg = single ? v >> 31 & 1 : v >> 63;
    uint64_t expf = single ? (v >> 23) & 0xff : (v >> 52) & 0x7ff;
    uint64_t mant = single ? v & 0x7fffff : v & 0xfffffffffffffull;
    uint64_t exp_max = single ? 0xff : 0x7ff;
    uint64_t quiet = single ? 0x400000 : 0x8000000000000ull;

    if (expf == exp_max && mant)
        return mant & quiet ? 1u << 9 : 1u << 8;
    if (expf == exp_max)
        return neg ? 1u << 0 : 1u << 7;
    if (expf == 0 && mant == 0)
        return neg ? 1u << 3 : 1u << 4;
    if (expf == 0)
        return neg ? 1u << 2 : 1u << 5;
    return neg ? 1u << 1 : 1u << 6;
}

static double round_integral(double x, unsigned int rm)
{
    switch (rm) {
    case EMU_RM_RTZ: return trunc(x);
    case EMU_RM_RDN: return floor(x);
    case EMU_RM_RUP: return ceil(x);
    case EMU_RM_RMM: return round(x);
    default:         return nearbyint(x);   /* the host rounds to nearest even */
    }
}

/* fcvt.{w,wu,l,lu}: saturating, NaN to the largest value, flags as the spec says. */
static uint64_t to_integer(double x, unsigned int rm, unsigned int kind, uint8_t *flags)
{
    /* kind: 0 w, 1 wu, 2 l, 3 lu */
    static const double lo[4] = { -2147483648.0, 0.0, -9223372036854775808.0, 0.0 };
    static const double hi[4] = { 2147483648.0, 4294967296.0, 9223372036854775808.0,
                                  18446744073709551616.0 };
    static const uint64_t min[4] = { (uint64_t)INT32_MIN, 0, (uint64_t)INT64_MIN, 0 };
    static const uint64_t max[4] = { INT32_MAX, UINT64_MAX, INT64_MAX, UINT64_MAX };
    double r;

    if (x != x) {
        *flags |= EMU_FFLAG_NV;
        return max[kind];
    }
    r = round_integral(x, rm);
    if (r < lo[kind] || r >= hi[kind]) {
        *flags |= EMU_FFLAG_NV;
        return r < 0 ? min[kind] : max[kind];
    }
    if (r != x)
        *flags |= EMU_FFLAG_NX;
    switch (kind) {
    case 0:  return (uint64_t)(int64_t)r;
    case 1:  return (uint64_t)(int32_t)(uint32_t)r;     /* 32-bit results sign-extend */
    case 2:  return (uint64_t)(int64_t)r;
    default: return (uint64_t)r;
    }
}

static bool convert_to_integer(struct simt_warp *w, const struct simt_insn *in, uint32_t mask,
                               uint64_t *out)
{
    unsigned int kind = (in->sub - SIMT_FP_FCVT_W_S) / 2;
    bool single = (in->sub & 1) == (SIMT_FP_FCVT_W_S & 1);
    const uint64_t *a = w->f[in->rs1];
    uint8_t rm[SIMT_LANES];

    if (!lane_modes(w, in, mask, rm))
        return false;
    EACH_LANE(l, out[l] = to_integer(single ? f32(a[l]) : f64(a[l]), rm[l], kind,
                                     &w->fflags[l]));
    return true;
}

/* Results of 32-bit conversions from binary32 to binary64, and of the exact ones. */
static void convert_exact(struct simt_warp *w, const struct simt_insn *in, uint32_t mask,
                          uint64_t *out)
{
    const uint64_t *x = w->x[in->rs1], *a = w->f[in->rs1];

    switch (in->sub) {
    case SIMT_FP_FCVT_D_W:
        EACH_LANE(l, out[l] = bits_f64((double)(int32_t)x[l]));
        break;
    case SIMT_FP_FCVT_D_WU:
        EACH_LANE(l, out[l] = bits_f64((double)(uint32_t)x[l]));
        break;
    case SIMT_FP_FCVT_D_S:
        EACH_LANE(l, uint32_t v = unbox(a[l]);
                     if (is_snan32(v)) w->fflags[l] |= EMU_FFLAG_NV;
                     out[l] = is_nan32(v) ? EMU_F64_CANONICAL_NAN : bits_f64(f32(a[l])));
        break;
    }
}

static uint64_t sign_inject(uint64_t a, uint64_t b, unsigned int op, uint64_t sign)
{
    switch (op) {
    case 0:  return (a & ~sign) | (b & sign);           /* fsgnj */
    case 1:  return (a & ~sign) | (~b & sign);          /* fsgnjn */
    default: return a ^ (b & sign);                     /* fsgnjx */
    }
}

/* Everything else that does not round. */
static void exact(struct simt_warp *w, const struct simt_insn *in, uint32_t mask, uint64_t *out)
{
    const uint64_t *a = w->f[in->rs1], *b = w->f[in->rs2], *x = w->x[in->rs1];
    bool single = (in->sub & 1) == 0;
    unsigned int op = in->sub & ~1u;

    switch (op) {
    case SIMT_FP_FSGNJ_S:
    case SIMT_FP_FSGNJN_S:
    case SIMT_FP_FSGNJX_S:
        EACH_LANE(l, out[l] = single ? box((uint32_t)sign_inject(unbox(a[l]), unbox(b[l]),
                                                                  (op - SIMT_FP_FSGNJ_S) / 2,
                                                                  SIGN32))
                                     : sign_inject(a[l], b[l], (op - SIMT_FP_FSGNJ_S) / 2,
                                                   SIGN64));
        break;
    case SIMT_FP_FMIN_S:
    case SIMT_FP_FMAX_S:
        EACH_LANE(l, uint64_t r = minmax(single ? unbox(a[l]) : a[l], single ? unbox(b[l]) : b[l],
                                         op == SIMT_FP_FMAX_S, single, &w->fflags[l]);
                     out[l] = single ? box((uint32_t)r) : r);
        break;
    case SIMT_FP_FEQ_S:
    case SIMT_FP_FLT_S:
    case SIMT_FP_FLE_S:
        EACH_LANE(l, out[l] = compare(single ? unbox(a[l]) : a[l], single ? unbox(b[l]) : b[l],
                                      op, single, &w->fflags[l]));
        break;
    case SIMT_FP_FCLASS_S:
        EACH_LANE(l, out[l] = classify(single ? unbox(a[l]) : a[l], single));
        break;
    case SIMT_FP_FMV_X_W:
        EACH_LANE(l, out[l] = single ? (uint64_t)(int32_t)a[l] : a[l]);
        break;
    default:        /* SIMT_FP_FMV_W_X */
        EACH_LANE(l, out[l] = single ? box((uint32_t)x[l]) : x[l]);
        break;
    }
}

/* ------------------------------------------------------------------ entry */

static bool writes_x(unsigned int sub)
{
    return (sub >= SIMT_FP_FEQ_S && sub <= SIMT_FP_FMV_X_D) ||
           (sub >= SIMT_FP_FCVT_W_S && sub <= SIMT_FP_FCVT_LU_D);
}

bool simt_fp_exec(struct simt_exec *e, struct simt_warp *w, const struct simt_insn *in,
                  uint32_t mask)
{
    uint64_t out[SIMT_LANES];
    unsigned int sub = in->sub;
    bool good = true;

    if (sub <= SIMT_FP_FNMADD_D)
        good = host_arith(w, in, mask, out);
    else if (sub <= SIMT_FP_FMV_D_X)
        exact(w, in, mask, out);
    else if (sub <= SIMT_FP_FCVT_LU_D)
        good = convert_to_integer(w, in, mask, out);
    else if (sub == SIMT_FP_FCVT_D_W || sub == SIMT_FP_FCVT_D_WU || sub == SIMT_FP_FCVT_D_S)
        convert_exact(w, in, mask, out);
    else
        good = convert_rounded(w, in, mask, out);
    if (!good) {
        /* A dynamic rounding mode that is not one: frm holds 5, 6 or 7. */
        simt_fault(e, S5000_KFAULT_ILLEGAL_INSTRUCTION, 0, S5000_ACCESS_EXEC);
        return false;
    }
    if (writes_x(sub))
        ALL_LANES(l, w->x[in->rd][l] = out[l]);
    else
        ALL_LANES(l, w->f[in->rd][l] = out[l]);
    return true;
}
