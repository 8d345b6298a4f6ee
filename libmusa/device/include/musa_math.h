/* SPDX-License-Identifier: MIT */
/*
 * musa_math.h: the math library of S5000 device code (CUDA's device math API).
 *
 * Device code has no libm. Everything here is written for this project in portable
 * C, so the same header also compiles for the host, where tools/tests/
 * musa_math_test.c measures it against glibc (both sides built with
 * -ffp-contract=off, which makes the host results bit-identical to the device's).
 *
 * Hardware does sqrt, fma, fabs, fmin/fmax and copysign in one instruction. The
 * double-precision functions reduce their argument carefully (Cody-Waite, then
 * Payne-Hanek for huge arguments; double-double logarithms for pow) and the float
 * functions evaluate through them in double, then round once. Error bounds in ULP
 * (round to nearest), as tools/tests/musa_math_test.c checks them against glibc:
 *   double: exp, exp2, exp10, expm1, log, log2, log10, log1p, sin, cos, cbrt,
 *           hypot 1; pow, cosh, tanh 1.5; sinh 2; tan, atan, atan2 2.5; asin, acos 3
 *   float:  every function 1 (most are correctly rounded but for rare double
 *           roundings); erfcf 2; sqrtf and the rounding functions exact
 *   fast intrinsics: __expf, __exp10f 2 + 1.5 |x|; __logf, __log2f, __log10f
 *           2^-21 absolute on [0.5, 2], 3 elsewhere; __sinf, __cosf 2^-21 absolute
 *           on [-pi, pi] (larger arguments lose accuracy, as in CUDA)
 * Subnormal results may carry one more ULP (they are rounded twice).
 *
 * Define __MUSA_MATH_PREFIXED_ONLY to get only the __musa_* implementations (and
 * CUDA's __-prefixed intrinsics), without the standard names.
 */
#ifndef MUSA_MATH_H
#define MUSA_MATH_H

/*
 * Precise IEEE semantics and no FMA contraction in this library, whatever the
 * program's own options: the error bounds above hold, and device results equal
 * the host test's.
 */
#ifdef __clang__
#pragma float_control(precise, on, push)
#pragma clang fp contract(off)
#endif

#define __MUSA_MATH static __inline__
#define __MUSA_MATH_INLINE static __inline__ __attribute__((always_inline))

/* Hides a value from the optimiser, so (x + 2^52) - 2^52 is not folded to x. */
#if defined(__riscv)
#define __MUSA_OPAQUE(v) __asm__("" : "+f"(v))
#elif defined(__x86_64__)
#define __MUSA_OPAQUE(v) __asm__("" : "+x"(v))
#else
#define __MUSA_OPAQUE(v) do { volatile __typeof__(v) __musa_o = (v); (v) = __musa_o; } while (0)
#endif

/* ------------------------------------------------------------ bit casts */

__MUSA_MATH_INLINE unsigned int __float_as_uint(float x)
{
	unsigned int u;

	__builtin_memcpy(&u, &x, sizeof(u));
	return u;
}

__MUSA_MATH_INLINE float __uint_as_float(unsigned int u)
{
	float x;

	__builtin_memcpy(&x, &u, sizeof(x));
	return x;
}

__MUSA_MATH_INLINE int __float_as_int(float x)
{
	return (int)__float_as_uint(x);
}

__MUSA_MATH_INLINE float __int_as_float(int i)
{
	return __uint_as_float((unsigned int)i);
}

__MUSA_MATH_INLINE unsigned long long __musa_double_bits(double x)
{
	unsigned long long u;

	__builtin_memcpy(&u, &x, sizeof(u));
	return u;
}

__MUSA_MATH_INLINE double __musa_bits_double(unsigned long long u)
{
	double x;

	__builtin_memcpy(&x, &u, sizeof(x));
	return x;
}

__MUSA_MATH_INLINE long long __double_as_longlong(double x)
{
	return (long long)__musa_double_bits(x);
}

__MUSA_MATH_INLINE double __longlong_as_double(long long i)
{
	return __musa_bits_double((unsigned long long)i);
}

/* 2^n for a normal exponent, -1022 <= n <= 1023 */
__MUSA_MATH_INLINE double __musa_pow2(int n)
{
	return __musa_bits_double((unsigned long long)(n + 1023) << 52);
}

/* x * 2^n, rounded once even when the result is subnormal (for |x| >= 2^-400) */
__MUSA_MATH double __musa_scale(double x, int n)
{
	if (n > 1023) {
		x *= 0x1p1023;
		n = n - 1023 > 1023 ? 1023 : n - 1023;
	} else if (n < -1022) {
		x *= 0x1p-600;
		n = n + 600 < -1022 ? -1022 : n + 600;
	}
	return x * __musa_pow2(n);
}

/* ------------------------------------------------- classification */

__MUSA_MATH_INLINE int __musa_isnanf(float x)
{
	return x != x;
}

__MUSA_MATH_INLINE int __musa_isinff(float x)
{
	return (__float_as_uint(x) & 0x7fffffffu) == 0x7f800000u;
}

__MUSA_MATH_INLINE int __musa_isfinitef(float x)
{
	return (__float_as_uint(x) & 0x7f800000u) != 0x7f800000u;
}

__MUSA_MATH_INLINE int __musa_isnan(double x)
{
	return x != x;
}

__MUSA_MATH_INLINE int __musa_isinf(double x)
{
	return (__musa_double_bits(x) << 1) == 0xffe0000000000000ull;
}

__MUSA_MATH_INLINE int __musa_isfinite(double x)
{
	return (__musa_double_bits(x) & 0x7ff0000000000000ull) != 0x7ff0000000000000ull;
}

/* ------------------------------------------------ one-instruction functions */

__MUSA_MATH_INLINE float __musa_sqrtf(float x) { return __builtin_sqrtf(x); }
__MUSA_MATH_INLINE double __musa_sqrt(double x) { return __builtin_sqrt(x); }
__MUSA_MATH_INLINE float __musa_fmaf(float x, float y, float z) { return __builtin_fmaf(x, y, z); }
__MUSA_MATH_INLINE double __musa_fma(double x, double y, double z) { return __builtin_fma(x, y, z); }
__MUSA_MATH_INLINE float __musa_fabsf(float x) { return __builtin_fabsf(x); }
__MUSA_MATH_INLINE double __musa_fabs(double x) { return __builtin_fabs(x); }
__MUSA_MATH_INLINE float __musa_fminf(float x, float y) { return __builtin_fminf(x, y); }
__MUSA_MATH_INLINE float __musa_fmaxf(float x, float y) { return __builtin_fmaxf(x, y); }
__MUSA_MATH_INLINE double __musa_fmin(double x, double y) { return __builtin_fmin(x, y); }
__MUSA_MATH_INLINE double __musa_fmax(double x, double y) { return __builtin_fmax(x, y); }
__MUSA_MATH_INLINE float __musa_copysignf(float x, float y) { return __builtin_copysignf(x, y); }
__MUSA_MATH_INLINE double __musa_copysign(double x, double y) { return __builtin_copysign(x, y); }

/* ------------------------------------------------------------ rounding */

/* Below 2^23 (2^52) a float (double) may have a fraction; from there it is an integer. */
__MUSA_MATH_INLINE float __musa_truncf(float x)
{
	if (!(__builtin_fabsf(x) < 0x1p23f))
		return x;
	return __builtin_copysignf((float)(int)x, x);
}

__MUSA_MATH_INLINE float __musa_floorf(float x)
{
	float t = __musa_truncf(x);

	return t > x ? t - 1.0f : t;
}

__MUSA_MATH_INLINE float __musa_ceilf(float x)
{
	float t = __musa_truncf(x);

	return t < x ? t + 1.0f : t;
}

/* halfway cases away from zero */
__MUSA_MATH_INLINE float __musa_roundf(float x)
{
	float t = __musa_truncf(x);

	if (__builtin_fabsf(x - t) >= 0.5f)
		t += __builtin_copysignf(1.0f, x);
	return t;
}

/* to nearest even, the rounding mode device code always runs in */
__MUSA_MATH_INLINE float __musa_rintf(float x)
{
	float a = __builtin_fabsf(x);

	if (!(a < 0x1p23f))
		return x;
	a += 0x1p23f;
	__MUSA_OPAQUE(a);
	a -= 0x1p23f;
	return __builtin_copysignf(a, x);
}

__MUSA_MATH_INLINE double __musa_trunc(double x)
{
	if (!(__builtin_fabs(x) < 0x1p52))
		return x;
	return __builtin_copysign((double)(long long)x, x);
}

__MUSA_MATH_INLINE double __musa_floor(double x)
{
	double t = __musa_trunc(x);

	return t > x ? t - 1.0 : t;
}

__MUSA_MATH_INLINE double __musa_ceil(double x)
{
	double t = __musa_trunc(x);

	return t < x ? t + 1.0 : t;
}

__MUSA_MATH_INLINE double __musa_round(double x)
{
	double t = __musa_trunc(x);

	if (__builtin_fabs(x - t) >= 0.5)
		t += __builtin_copysign(1.0, x);
	return t;
}

__MUSA_MATH_INLINE double __musa_rint(double x)
{
	double a = __builtin_fabs(x);

	if (!(a < 0x1p52))
		return x;
	a += 0x1p52;
	__MUSA_OPAQUE(a);
	a -= 0x1p52;
	return __builtin_copysign(a, x);
}

/* Exact: the remainder of x / y with the sign of x (C's fmod), on the mantissas. */
__MUSA_MATH float __musa_fmodf(float x, float y)
{
	unsigned int ux = __float_as_uint(x), uy = __float_as_uint(y);
	unsigned int sign = ux & 0x80000000u, mx, my;
	int ex = (int)(ux >> 23 & 0xff), ey = (int)(uy >> 23 & 0xff);

	if (ey == 0xff && (uy << 9) == 0 && ex != 0xff)
		return x;			/* finite x, infinite y */
	if ((uy << 1) == 0 || ex == 0xff || ey == 0xff)
		return (x * y) / (x * y);	/* NaN for 0 divisors, infinite x, NaNs */
	if ((ux << 1) < (uy << 1))
		return x;
	/* integer mantissas, subnormals normalised */
	mx = ux & 0x7fffffu;
	my = uy & 0x7fffffu;
	if (ex == 0)
		for (mx <<= 1; !(mx & 0x800000u); mx <<= 1)
			ex--;
	else
		mx |= 0x800000u;
	if (ey == 0)
		for (my <<= 1; !(my & 0x800000u); my <<= 1)
			ey--;
	else
		my |= 0x800000u;
	for (; ex > ey; ex--) {
		if (mx >= my)
			mx -= my;
		mx <<= 1;
	}
	if (mx >= my)
		mx -= my;
	if (mx == 0)
		return __uint_as_float(sign);
	for (; !(mx & 0x800000u); mx <<= 1)
		ey--;
	if (ey > 0)
		return __uint_as_float(sign | (unsigned int)ey << 23 | (mx & 0x7fffffu));
	return __uint_as_float(sign | (mx >> (1 - ey)));
}

/* x * 2^n: exact in double for float operands, then one rounding. */
__MUSA_MATH_INLINE float __musa_ldexpf(float x, int n)
{
	n = n > 400 ? 400 : n < -400 ? -400 : n;
	return (float)((double)x * __musa_scale(1.0, n));
}

__MUSA_MATH float __musa_frexpf(float x, int *e)
{
	unsigned int u = __float_as_uint(x);
	int ex = (int)(u >> 23 & 0xff);

	*e = 0;
	if (ex == 0xff || (u << 1) == 0)
		return x;
	if (ex == 0) {			/* subnormal: scale into the normal range */
		x *= 0x1p25f;
		u = __float_as_uint(x);
		ex = (int)(u >> 23 & 0xff) - 25;
	}
	*e = ex - 126;
	return __uint_as_float((u & 0x807fffffu) | 0x3f000000u);
}

/* --------------------------------------------------- double-double helpers */

typedef struct { double hi, lo; } __musa_dd;

/* a + b exactly, as the rounded sum and its error */
__MUSA_MATH_INLINE __musa_dd __musa_two_sum(double a, double b)
{
	__musa_dd r;
	double bb;

	r.hi = a + b;
	bb = r.hi - a;
	r.lo = (a - (r.hi - bb)) + (b - bb);
	return r;
}

/* the same, when |a| >= |b| */
__MUSA_MATH_INLINE __musa_dd __musa_fast_two_sum(double a, double b)
{
	__musa_dd r;

	r.hi = a + b;
	r.lo = b - (r.hi - a);
	return r;
}

__MUSA_MATH_INLINE __musa_dd __musa_two_prod(double a, double b)
{
	__musa_dd r;

	r.hi = a * b;
	r.lo = __builtin_fma(a, b, -r.hi);
	return r;
}

/*
 * x * y + z for operands of at most 26 significant bits (so x * y is exact), rounded
 * to odd: to the neighbour with its last bit set when inexact. Rounding that once
 * more to a format of at most 51 bits gives the correctly rounded x * y + z, which
 * is how the half and bfloat16 FMAs round once.
 */
__MUSA_MATH double __musa_fma_round_odd(double x, double y, double z)
{
	__musa_dd s = __musa_two_sum(x * y, z);
	unsigned long long u = __musa_double_bits(s.hi);

	if (s.lo != 0.0 && !(u & 1) && __musa_isfinite(s.hi))
		s.hi = __musa_bits_double((s.lo > 0.0) == (s.hi > 0.0) ? u + 1 : u - 1);
	return s.hi;
}

#include "musa_math_double.h"
#include "musa_math_float.h"
#include "musa_math_names.h"

#ifdef __clang__
#pragma float_control(pop)
#endif

#endif /* MUSA_MATH_H */
