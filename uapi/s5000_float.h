/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * The S5000's number formats: conversions between FP32/FP64 and FP8 (OCP OFP8 E4M3
 * and E5M2), FP16 (IEEE binary16), BF16 and TF32. The one implementation, used by the
 * device model's tensor core and by device code, so the two can never disagree. The
 * prose is s5000-mma.md.
 *
 * Freestanding and header-only: no includes, no libc, C and C++, host or device.
 *
 * Every narrowing conversion rounds to nearest, ties to even, and the result is the
 * correctly rounded value of the exact input (never through an intermediate format).
 * Overflow (after rounding) gives the format's infinity, or with saturation its
 * largest finite value of the same sign; E4M3 has no infinity, so its non-saturating
 * overflow is NaN (sign kept), and +-Inf converts like an overflow. A NaN input gives
 * the canonical NaN: sign clear, every other bit set (E4M3/E5M2 0x7f, FP16/BF16
 * 0x7fff). Decoding is exact; a NaN code decodes to a NaN of the same sign.
 */
#ifndef S5000_FLOAT_H
#define S5000_FLOAT_H

#define S5000_E4M3_MAX		448.0f
#define S5000_E5M2_MAX		57344.0f
#define S5000_F16_MAX		65504.0f
#define S5000_E4M3_NAN		0x7fu
#define S5000_E5M2_NAN		0x7fu
#define S5000_F16_NAN		0x7fffu
#define S5000_BF16_NAN		0x7fffu

/*
 * A binary format as the generic code sees it: fraction bits, the exponent of the
 * smallest normal, the magnitude code of the largest finite value, the magnitude
 * code of a non-saturating overflow (infinity; E4M3, which has none, its NaN), and
 * the number of bits of a code (the sign is its top bit).
 */
#define S5000_FP_E4M3		3, -6, 0x7eull, 0x7full, 8
#define S5000_FP_E5M2		2, -14, 0x7bull, 0x7cull, 8
#define S5000_FP_F16		10, -14, 0x7bffull, 0x7c00ull, 16
#define S5000_FP_BF16		7, -126, 0x7f7full, 0x7f80ull, 16
#define S5000_FP_F32		23, -126, 0x7f7fffffull, 0x7f800000ull, 32
#define S5000_FP_F64		52, -1022, 0x7fefffffffffffffull, 0x7ff0000000000000ull, 64

static inline unsigned int s5000_fp_f32_bits(float f)
{
	unsigned int u;

	__builtin_memcpy(&u, &f, sizeof(u));
	return u;
}

static inline float s5000_fp_bits_f32(unsigned int u)
{
	float f;

	__builtin_memcpy(&f, &u, sizeof(f));
	return f;
}

static inline unsigned long long s5000_fp_f64_bits(double d)
{
	unsigned long long u;

	__builtin_memcpy(&u, &d, sizeof(u));
	return u;
}

static inline double s5000_fp_bits_f64(unsigned long long u)
{
	double d;

	__builtin_memcpy(&d, &u, sizeof(d));
	return d;
}

/*
 * Rounds the positive value sig * 2^exp (sig != 0; sticky: the exact value has more
 * nonzero bits below sig's last) to nearest even in a format, and returns the
 * magnitude code, or ovf if the rounded value exceeds maxfin. The code of a normal
 * value is ((e - emin) << mbits) + q, where q includes the hidden bit: a carry out of
 * q then lands in the exponent field, and a subnormal that rounds up to the smallest
 * normal needs no special case either.
 */
static inline unsigned long long s5000_fp_round(unsigned long long sig, int exp, int sticky,
						int mbits, int emin,
						unsigned long long maxfin,
						unsigned long long ovf)
{
	int lead = 63 - __builtin_clzll(sig);
	int e = exp + lead;		/* exponent of the leading bit */
	int shift = lead - mbits + (e < emin ? emin - e : 0);
	unsigned long long q, rem, half, code;
	int up;

	if (e > emin + (int)(maxfin >> mbits))
		return ovf;
	if (shift <= 0) {
		q = sig << -shift;
		up = 0;
	} else if (shift <= 64) {
		q = shift == 64 ? 0 : sig >> shift;
		rem = shift == 64 ? sig : sig & ((1ull << shift) - 1);
		half = 1ull << (shift - 1);
		up = rem > half || (rem == half && (sticky || (q & 1)));
	} else {
		/* Below half the smallest subnormal, even with the sticky bits. */
		q = 0;
		up = 0;
	}
	code = q + up;
	if (e >= emin)
		code += (unsigned long long)(e - emin) << mbits;
	return code > maxfin ? ovf : code;
}

static inline unsigned long long s5000_fp_from_f64_fmt(double d, int mbits, int emin,
						       unsigned long long maxfin,
						       unsigned long long inf, int bits, int sat)
{
	unsigned long long u = s5000_fp_f64_bits(d);
	unsigned long long mag = u & 0x7fffffffffffffffull;
	unsigned long long sign = (u >> 63) << (bits - 1);
	unsigned long long nan = (~0ull >> (65 - bits));
	unsigned long long ovf = sat ? maxfin : inf;
	int biased = (int)(mag >> 52);
	unsigned long long frac = mag & 0xfffffffffffffull;

	if (mag > 0x7ff0000000000000ull)
		return nan;
	if (mag == 0)
		return sign;
	if (mag == 0x7ff0000000000000ull)
		return sign | ovf;
	return sign | s5000_fp_round(biased ? frac | (1ull << 52) : frac,
				     (biased ? biased : 1) - 1023 - 52, 0, mbits, emin, maxfin, ovf);
}

static inline unsigned long long s5000_fp_from_f32_fmt(float f, int mbits, int emin,
						       unsigned long long maxfin,
						       unsigned long long inf, int bits, int sat)
{
	unsigned int u = s5000_fp_f32_bits(f);
	unsigned int mag = u & 0x7fffffffu;
	unsigned long long sign = (unsigned long long)(u >> 31) << (bits - 1);
	unsigned long long nan = (~0ull >> (65 - bits));
	unsigned long long ovf = sat ? maxfin : inf;
	int biased = (int)(mag >> 23);
	unsigned int frac = mag & 0x7fffffu;

	if (mag > 0x7f800000u)
		return nan;
	if (mag == 0)
		return sign;
	if (mag == 0x7f800000u)
		return sign | ovf;
	return sign | s5000_fp_round(biased ? frac | (1u << 23) : frac,
				     (biased ? biased : 1) - 127 - 23, 0, mbits, emin, maxfin, ovf);
}

/*
 * Decodes a code of a format whose values are all normal in FP32 (E4M3, E5M2, FP16).
 * Past the largest finite lie the infinity (if inf has a zero fraction; E4M3's
 * does not) and NaNs.
 */
static inline float s5000_fp_to_f32_fmt(unsigned int code, int mbits, int emin,
					unsigned long long maxfin, unsigned long long inf,
					int bits)
{
	unsigned int sign = (code >> (bits - 1)) & 1u;
	unsigned int mag = code & ((1u << (bits - 1)) - 1);
	unsigned int field = mag >> mbits;
	unsigned int frac = mag & ((1u << mbits) - 1);
	unsigned int sig;
	int exp, lead;

	if (mag > maxfin) {
		if (mag == inf && !(inf & ((1u << mbits) - 1)))
			return s5000_fp_bits_f32(sign << 31 | 0x7f800000u);
		return s5000_fp_bits_f32(sign << 31 | 0x7fffffffu);
	}
	if (mag == 0)
		return s5000_fp_bits_f32(sign << 31);
	sig = field ? frac | (1u << mbits) : frac;
	exp = (int)(field ? field : 1) + emin - 1 - mbits;
	lead = 31 - __builtin_clz(sig);
	return s5000_fp_bits_f32(sign << 31 | (unsigned int)(exp + lead + 127) << 23 |
				 ((sig << (23 - lead)) & 0x7fffffu));
}

/* FP32 -> E4M3. saturate != 0: SATFINITE (+-448); else overflow and +-Inf give NaN. */
static inline unsigned char s5000_f32_to_e4m3(float f, int saturate)
{
	return (unsigned char)s5000_fp_from_f32_fmt(f, S5000_FP_E4M3, saturate);
}

/* FP32 -> E5M2. saturate != 0: SATFINITE (+-57344); else overflow gives +-Inf. */
static inline unsigned char s5000_f32_to_e5m2(float f, int saturate)
{
	return (unsigned char)s5000_fp_from_f32_fmt(f, S5000_FP_E5M2, saturate);
}

static inline unsigned short s5000_f32_to_f16(float f)
{
	return (unsigned short)s5000_fp_from_f32_fmt(f, S5000_FP_F16, 0);
}

static inline unsigned short s5000_f32_to_bf16(float f)
{
	return (unsigned short)s5000_fp_from_f32_fmt(f, S5000_FP_BF16, 0);
}

static inline unsigned char s5000_f64_to_e4m3(double d, int saturate)
{
	return (unsigned char)s5000_fp_from_f64_fmt(d, S5000_FP_E4M3, saturate);
}

static inline unsigned char s5000_f64_to_e5m2(double d, int saturate)
{
	return (unsigned char)s5000_fp_from_f64_fmt(d, S5000_FP_E5M2, saturate);
}

static inline unsigned short s5000_f64_to_f16(double d)
{
	return (unsigned short)s5000_fp_from_f64_fmt(d, S5000_FP_F16, 0);
}

static inline unsigned short s5000_f64_to_bf16(double d)
{
	return (unsigned short)s5000_fp_from_f64_fmt(d, S5000_FP_BF16, 0);
}

static inline float s5000_e4m3_to_f32(unsigned char v)
{
	return s5000_fp_to_f32_fmt(v, S5000_FP_E4M3);
}

static inline float s5000_e5m2_to_f32(unsigned char v)
{
	return s5000_fp_to_f32_fmt(v, S5000_FP_E5M2);
}

/*
 * Branch-free (masks, not conditions), so that loops over arrays vectorise: a normal's
 * fields move into place, a subnormal is its integer fraction times 2^-24 (exact, and
 * a normal FP32), the top exponent saturates and a NaN gets every fraction bit.
 */
static inline float s5000_f16_to_f32(unsigned short v)
{
	unsigned int sign = (unsigned int)(v & 0x8000u) << 16;
	unsigned int field = (v >> 10) & 31u, frac = v & 0x3ffu;
	unsigned int is_sub = 0u - (unsigned int)(field == 0u);
	unsigned int is_top = 0u - (unsigned int)(field == 31u);
	unsigned int is_nan = (0u - (unsigned int)(frac != 0u)) >> 9;
	unsigned int normal = (field + 112u) << 23 | frac << 13;
	unsigned int sub = s5000_fp_f32_bits((float)(int)frac * s5000_fp_bits_f32(0x33800000u));

	normal |= is_top & (0x7f800000u | is_nan);
	return s5000_fp_bits_f32(sign | (is_sub & sub) | (~is_sub & normal));
}

/* BF16 is the top half of an FP32: widening keeps every bit, NaN payloads too. */
static inline float s5000_bf16_to_f32(unsigned short v)
{
	return s5000_fp_bits_f32((unsigned int)v << 16);
}

/*
 * FP32 -> TF32 (1/8/10), rounded to nearest even and returned as the FP32 with the
 * low 13 fraction bits zero, which is what the tensor core reads of a TF32 operand
 * (it ignores those bits). Carrying out of the fraction is the correct rounding,
 * up to +-Inf past the largest finite. NaN gives the canonical 0x7fffe000.
 */
static inline float s5000_f32_to_tf32(float f)
{
	unsigned int u = s5000_fp_f32_bits(f);

	if ((u & 0x7fffffffu) > 0x7f800000u)
		return s5000_fp_bits_f32(0x7fffe000u);
	u += 0xfffu + ((u >> 13) & 1u);
	return s5000_fp_bits_f32(u & 0xffffe000u);
}

#endif /* S5000_FLOAT_H */
