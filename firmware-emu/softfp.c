// SPDX-License-Identifier: MIT
/*
 * Software IEEE 754 arithmetic for the rounding modes the host is not asked for.
 *
 * Every operation computes its exact result as a sign, an exponent and a 64-bit
 * significand whose lowest bit also records whether anything nonzero lay below it
 * ("sticky"), then rounds once in round_pack(). The significand keeps at least two
 * bits beyond the format's precision above the sticky bit, which is what correct
 * rounding needs.
 */
#include "softfp.h"

#include <stdbool.h>

typedef unsigned __int128 u128;

struct fmt {
    int mbits;                  /* stored mantissa bits */
    int sign_shift;
    int bias;
    uint64_t exp_max;           /* exponent field of infinities and NaNs */
    uint64_t nan;               /* the canonical NaN */
};

static const struct fmt F32 = { 23, 31, 127, 0xff, EMU_F32_CANONICAL_NAN };
static const struct fmt F64 = { 52, 63, 1023, 0x7ff, EMU_F64_CANONICAL_NAN };

enum cls { ZERO, FINITE, INF, QNAN, SNAN };

/* A value taken apart; a finite one is sig * 2^(exp - 63) with bit 63 of sig set. */
struct unpacked {
    enum cls cls;
    bool sign;
    int exp;
    uint64_t sig;
};

static int clz64(uint64_t x)
{
    return __builtin_clzll(x);
}

static int clz128(u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);

    return hi ? clz64(hi) : 64 + clz64((uint64_t)x);
}

static uint64_t sign_bit(const struct fmt *f)
{
    return 1ull << f->sign_shift;
}

static uint64_t pack(const struct fmt *f, bool sign, uint64_t magnitude)
{
    return (sign ? sign_bit(f) : 0) | magnitude;
}

static struct unpacked unpack(const struct fmt *f, uint64_t bits)
{
    uint64_t mant = bits & ((1ull << f->mbits) - 1);
    uint64_t expf = (bits >> f->mbits) & f->exp_max;
    struct unpacked u = { .sign = (bits & sign_bit(f)) != 0 };

    if (expf == f->exp_max) {
        if (mant == 0)
            u.cls = INF;
        else
            u.cls = mant >> (f->mbits - 1) ? QNAN : SNAN;
        return u;
    }
    if (expf == 0 && mant == 0) {
        u.cls = ZERO;
        return u;
    }
    u.cls = FINITE;
    if (expf == 0) {            /* subnormal: normalise */
        int n = clz64(mant);

        u.sig = mant << n;
        u.exp = 1 - f->bias - f->mbits + (63 - n);
    } else {
        u.sig = (mant | 1ull << f->mbits) << (63 - f->mbits);
        u.exp = (int)expf - f->bias;
    }
    return u;
}

/* ------------------------------------------------------------------ rounding */

/* What lies below bit `shift` of sig, relative to half a unit there. */
enum rest { EXACT, BELOW_HALF, HALF, ABOVE_HALF };

static enum rest rest_of(uint64_t sig, int shift)
{
    uint64_t rest, half;

    if (shift == 0)
        return EXACT;
    if (shift > 64)
        return sig ? BELOW_HALF : EXACT;
    rest = shift == 64 ? sig : sig & ((1ull << shift) - 1);
    half = 1ull << (shift - 1);
    if (rest == 0)
        return EXACT;
    return rest < half ? BELOW_HALF : rest == half ? HALF : ABOVE_HALF;
}

static bool round_up(enum rest rest, bool odd, bool sign, unsigned int rm)
{
    if (rest == EXACT)
        return false;
    switch (rm) {
    case EMU_RM_RNE: return rest == ABOVE_HALF || (rest == HALF && odd);
    case EMU_RM_RMM: return rest != BELOW_HALF;
    case EMU_RM_RDN: return sign;
    case EMU_RM_RUP: return !sign;
    default:         return false;
    }
}

static uint64_t overflow(const struct fmt *f, bool sign, unsigned int rm, unsigned int *flags)
{
    bool to_inf = rm == EMU_RM_RNE || rm == EMU_RM_RMM || (rm == EMU_RM_RDN && sign) ||
                  (rm == EMU_RM_RUP && !sign);

    *flags |= EMU_FFLAG_OF | EMU_FFLAG_NX;
    if (to_inf)
        return pack(f, sign, f->exp_max << f->mbits);
    return pack(f, sign, (f->exp_max << f->mbits) - 1);
}

/*
 * Whether a value just below the smallest normal, rounded to full precision as if
 * the exponent were unbounded, reaches it: then it is not tiny (RISC-V detects
 * tininess after rounding).
 */
static bool rounds_to_normal(const struct fmt *f, bool sign, uint64_t sig, unsigned int rm)
{
    int shift = 63 - f->mbits;
    uint64_t kept = sig >> shift;

    return round_up(rest_of(sig, shift), kept & 1, sign, rm) && kept + 1 == 1ull << (f->mbits + 1);
}

/* Rounds sig * 2^(exp - 63), bit 63 of sig set, into the format. */
static uint64_t round_pack(const struct fmt *f, bool sign, int exp, uint64_t sig, unsigned int rm,
                           unsigned int *flags)
{
    int biased = exp + f->bias;
    int shift = 63 - f->mbits;
    bool tiny = biased < 1;
    uint64_t kept, magnitude;
    enum rest rest;

    if (biased >= (int)f->exp_max)
        return overflow(f, sign, rm, flags);
    if (tiny) {
        if (biased == 0 && rounds_to_normal(f, sign, sig, rm))
            tiny = false;
        shift += 1 - biased;
        biased = 1;
    }
    kept = shift >= 64 ? 0 : sig >> shift;
    rest = rest_of(sig, shift);
    if (round_up(rest, kept & 1, sign, rm))
        kept++;
    if (rest != EXACT)
        *flags |= EMU_FFLAG_NX | (tiny ? EMU_FFLAG_UF : 0);
    /* kept carries its leading bit into the exponent field, and a carry out of it too. */
    magnitude = ((uint64_t)(biased - 1) << f->mbits) + kept;
    if (magnitude >> f->mbits >= f->exp_max)
        return overflow(f, sign, rm, flags);
    return pack(f, sign, magnitude);
}

/* ---------------------------------------------------------------- specials */

static uint64_t nan_result(const struct fmt *f, bool invalid, unsigned int *flags)
{
    if (invalid)
        *flags |= EMU_FFLAG_NV;
    return f->nan;
}

static bool any_nan(const struct unpacked *a, const struct unpacked *b)
{
    return a->cls == QNAN || a->cls == SNAN || b->cls == QNAN || b->cls == SNAN;
}

static bool any_snan(const struct unpacked *a, const struct unpacked *b)
{
    return a->cls == SNAN || b->cls == SNAN;
}

static uint64_t zero(const struct fmt *f, bool sign)
{
    return pack(f, sign, 0);
}

static uint64_t inf(const struct fmt *f, bool sign)
{
    return pack(f, sign, f->exp_max << f->mbits);
}

/* The sign of an exact zero sum of operands of different signs. */
static bool cancel_sign(unsigned int rm)
{
    return rm == EMU_RM_RDN;
}

static uint64_t shift_right_jam64(uint64_t x, int n)
{
    if (n == 0)
        return x;
    if (n >= 64)
        return x != 0;
    return x >> n | ((x & ((1ull << n) - 1)) != 0);
}

static u128 shift_right_jam128(u128 x, int n)
{
    if (n == 0)
        return x;
    if (n >= 128)
        return x != 0;
    return x >> n | ((x & (((u128)1 << n) - 1)) != 0);
}

/* A 128-bit significand, nonzero, as value * 2^(exp - 127): rounded. */
static uint64_t round_pack128(const struct fmt *f, bool sign, int exp, u128 sig, unsigned int rm,
                              unsigned int *flags)
{
    int n = clz128(sig);

    sig <<= n;
    return round_pack(f, sign, exp - n, (uint64_t)(sig >> 64) | ((uint64_t)sig != 0), rm, flags);
}

/* -------------------------------------------------------------- operations */

static uint64_t add(const struct fmt *f, uint64_t abits, uint64_t bbits, bool negate_b,
                    unsigned int rm, unsigned int *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits), t;
    uint64_t x, y, sum;
    int n;

    b.sign ^= negate_b;
    if (any_nan(&a, &b))
        return nan_result(f, any_snan(&a, &b), flags);
    if (a.cls == INF || b.cls == INF) {
        if (a.cls == INF && b.cls == INF && a.sign != b.sign)
            return nan_result(f, true, flags);
        return inf(f, a.cls == INF ? a.sign : b.sign);
    }
    if (a.cls == ZERO && b.cls == ZERO)
        return zero(f, a.sign == b.sign ? a.sign : cancel_sign(rm));
    if (a.cls == ZERO)
        return bbits ^ (negate_b ? sign_bit(f) : 0);
    if (b.cls == ZERO)
        return abits;

    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        t = a;
        a = b;
        b = t;
    }
    /* Bit 63 stays free for a carry; the low bits of both are zeros, so >> 1 is exact. */
    x = a.sig >> 1;
    y = shift_right_jam64(b.sig >> 1, a.exp - b.exp);
    if (a.sign == b.sign) {
        sum = x + y;
    } else {
        sum = x - y;
        if (sum == 0)
            return zero(f, cancel_sign(rm));
    }
    n = clz64(sum);
    return round_pack(f, a.sign, a.exp + 1 - n, sum << n, rm, flags);
}

static uint64_t mul(const struct fmt *f, uint64_t abits, uint64_t bbits, unsigned int rm,
                    unsigned int *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);
    bool sign = a.sign != b.sign;

    if (any_nan(&a, &b))
        return nan_result(f, any_snan(&a, &b), flags);
    if ((a.cls == INF && b.cls == ZERO) || (a.cls == ZERO && b.cls == INF))
        return nan_result(f, true, flags);
    if (a.cls == INF || b.cls == INF)
        return inf(f, sign);
    if (a.cls == ZERO || b.cls == ZERO)
        return zero(f, sign);
    /* (sig_a * sig_b) * 2^(exp_a + exp_b - 126) */
    return round_pack128(f, sign, a.exp + b.exp + 1, (u128)a.sig * b.sig, rm, flags);
}

static uint64_t div(const struct fmt *f, uint64_t abits, uint64_t bbits, unsigned int rm,
                    unsigned int *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);
    bool sign = a.sign != b.sign;
    u128 num, q;

    if (any_nan(&a, &b))
        return nan_result(f, any_snan(&a, &b), flags);
    if ((a.cls == INF && b.cls == INF) || (a.cls == ZERO && b.cls == ZERO))
        return nan_result(f, true, flags);
    if (a.cls == INF || b.cls == ZERO) {
        if (b.cls == ZERO)
            *flags |= EMU_FFLAG_DZ;
        return inf(f, sign);
    }
    if (a.cls == ZERO || b.cls == INF)
        return zero(f, sign);
    /* q = sig_a * 2^64 / sig_b, in (2^63, 2^65): (q + rest) * 2^(exp_a - exp_b - 64). */
    num = (u128)a.sig << 64;
    q = num / b.sig;
    return round_pack128(f, sign, a.exp - b.exp + 63, q | (num % b.sig != 0), rm, flags);
}

/* floor(sqrt(n)), and whether that was exact. */
static uint64_t isqrt128(u128 n, bool *exact)
{
    u128 root = 0, rem = 0;

    for (int i = 0; i < 64; i++) {
        rem = rem << 2 | (n >> 126);
        n <<= 2;
        root <<= 1;
        if (rem >= 2 * root + 1) {
            rem -= 2 * root + 1;
            root++;
        }
    }
    *exact = rem == 0;
    return (uint64_t)root;
}

static uint64_t sqrt_(const struct fmt *f, uint64_t abits, unsigned int rm, unsigned int *flags)
{
    struct unpacked a = unpack(f, abits);
    uint64_t root;
    bool exact;
    int k;

    if (a.cls == QNAN || a.cls == SNAN)
        return nan_result(f, a.cls == SNAN, flags);
    if (a.cls == ZERO)
        return abits;
    if (a.sign)
        return nan_result(f, true, flags);
    if (a.cls == INF)
        return abits;
    /* a = n * 2^(exp - k) with exp - k even, n in [2^126, 2^128). */
    k = a.exp % 2 == 0 ? 126 : 127;
    root = isqrt128((u128)a.sig << (k - 63), &exact);
    return round_pack(f, false, (a.exp - k) / 2 + 63, root | !exact, rm, flags);
}

static uint64_t fma_(const struct fmt *f, uint64_t abits, uint64_t bbits, uint64_t cbits,
                     unsigned int rm, unsigned int *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits), c = unpack(f, cbits);
    bool sign = a.sign != b.sign, inf_times_zero;
    u128 p, s;
    int ep, ec, e;

    inf_times_zero = (a.cls == INF && b.cls == ZERO) || (a.cls == ZERO && b.cls == INF);
    /* Invalid even when the addend is a quiet NaN (RISC-V). */
    if (inf_times_zero || any_nan(&a, &b) || c.cls == QNAN || c.cls == SNAN)
        return nan_result(f, inf_times_zero || any_snan(&a, &b) || c.cls == SNAN, flags);
    if (a.cls == INF || b.cls == INF) {
        if (c.cls == INF && c.sign != sign)
            return nan_result(f, true, flags);
        return inf(f, sign);
    }
    if (c.cls == INF)
        return cbits;
    if (a.cls == ZERO || b.cls == ZERO) {
        if (c.cls == ZERO)
            return zero(f, c.sign == sign ? sign : cancel_sign(rm));
        return cbits;
    }
    p = (u128)a.sig * b.sig;
    if (c.cls == ZERO)
        return round_pack128(f, sign, a.exp + b.exp + 1, p, rm, flags);

    /* Both as x * 2^(e - 125), leading bits at 124 or 125 (the low bits are zeros). */
    p >>= 2;
    ep = a.exp + b.exp + 1;
    s = (u128)c.sig << 62;
    ec = c.exp;
    if (ep >= ec) {
        s = shift_right_jam128(s, ep - ec);
        e = ep;
    } else {
        p = shift_right_jam128(p, ec - ep);
        e = ec;
    }
    if (c.sign == sign) {
        s += p;
    } else if (p >= s) {
        s = p - s;
    } else {
        s -= p;
        sign = c.sign;
    }
    if (s == 0)
        return zero(f, cancel_sign(rm));
    return round_pack128(f, sign, e + 2, s, rm, flags);
}

static uint64_t from_u64(const struct fmt *f, bool sign, uint64_t mag, unsigned int rm,
                         unsigned int *flags)
{
    int n;

    if (mag == 0)
        return zero(f, false);
    n = clz64(mag);
    return round_pack(f, sign, 63 - n, mag << n, rm, flags);
}

/* ---------------------------------------------------------------- entries */

uint32_t emu_sf32_add(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)add(&F32, a, b, false, rm, flags);
}

uint32_t emu_sf32_sub(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)add(&F32, a, b, true, rm, flags);
}

uint32_t emu_sf32_mul(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)mul(&F32, a, b, rm, flags);
}

uint32_t emu_sf32_div(uint32_t a, uint32_t b, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)div(&F32, a, b, rm, flags);
}

uint32_t emu_sf32_sqrt(uint32_t a, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)sqrt_(&F32, a, rm, flags);
}

uint32_t emu_sf32_fma(uint32_t a, uint32_t b, uint32_t c, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)fma_(&F32, a, b, c, rm, flags);
}

uint64_t emu_sf64_add(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags)
{
    return add(&F64, a, b, false, rm, flags);
}

uint64_t emu_sf64_sub(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags)
{
    return add(&F64, a, b, true, rm, flags);
}

uint64_t emu_sf64_mul(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags)
{
    return mul(&F64, a, b, rm, flags);
}

uint64_t emu_sf64_div(uint64_t a, uint64_t b, unsigned int rm, unsigned int *flags)
{
    return div(&F64, a, b, rm, flags);
}

uint64_t emu_sf64_sqrt(uint64_t a, unsigned int rm, unsigned int *flags)
{
    return sqrt_(&F64, a, rm, flags);
}

uint64_t emu_sf64_fma(uint64_t a, uint64_t b, uint64_t c, unsigned int rm, unsigned int *flags)
{
    return fma_(&F64, a, b, c, rm, flags);
}

uint32_t emu_sf_f64_to_f32(uint64_t bits, unsigned int rm, unsigned int *flags)
{
    struct unpacked a = unpack(&F64, bits);

    switch (a.cls) {
    case QNAN:
    case SNAN: return (uint32_t)nan_result(&F32, a.cls == SNAN, flags);
    case INF:  return (uint32_t)inf(&F32, a.sign);
    case ZERO: return (uint32_t)zero(&F32, a.sign);
    default:   return (uint32_t)round_pack(&F32, a.sign, a.exp, a.sig, rm, flags);
    }
}

static uint64_t magnitude_of(int64_t v)
{
    return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

uint32_t emu_sf_i64_to_f32(int64_t v, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)from_u64(&F32, v < 0, magnitude_of(v), rm, flags);
}

uint32_t emu_sf_u64_to_f32(uint64_t v, unsigned int rm, unsigned int *flags)
{
    return (uint32_t)from_u64(&F32, false, v, rm, flags);
}

uint64_t emu_sf_i64_to_f64(int64_t v, unsigned int rm, unsigned int *flags)
{
    return from_u64(&F64, v < 0, magnitude_of(v), rm, flags);
}

uint64_t emu_sf_u64_to_f64(uint64_t v, unsigned int rm, unsigned int *flags)
{
    return from_u64(&F64, false, v, rm, flags);
}
