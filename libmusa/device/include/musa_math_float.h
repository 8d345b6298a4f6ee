/* SPDX-License-Identifier: MIT */
/*
 * Single precision functions for musa_math.h, which includes this after the double
 * ones. The accurate functions evaluate in double (the device has it in hardware)
 * and round once; CUDA's fast intrinsics (__expf, __logf, __sinf, ...) stay in
 * float with short polynomials, as their looser bounds allow.
 */
#ifndef MUSA_MATH_FLOAT_H
#define MUSA_MATH_FLOAT_H

/* ----------------------------------------- through the double functions */

__MUSA_MATH float __musa_expf(float x) { return (float)__musa_exp(x); }
__MUSA_MATH float __musa_exp2f(float x) { return (float)__musa_exp2(x); }
__MUSA_MATH float __musa_exp10f(float x) { return (float)__musa_exp10(x); }
__MUSA_MATH float __musa_logf(float x) { return (float)__musa_log(x); }
__MUSA_MATH float __musa_log2f(float x) { return (float)__musa_log2(x); }
__MUSA_MATH float __musa_log10f(float x) { return (float)__musa_log10(x); }
__MUSA_MATH float __musa_powf(float x, float y) { return (float)__musa_pow(x, y); }
__MUSA_MATH float __musa_sinf(float x) { return (float)__musa_sin(x); }
__MUSA_MATH float __musa_cosf(float x) { return (float)__musa_cos(x); }
__MUSA_MATH float __musa_tanf(float x) { return (float)__musa_tan(x); }
__MUSA_MATH float __musa_rsqrtf(float x) { return (float)(1.0 / __builtin_sqrt((double)x)); }
__MUSA_MATH double __musa_rsqrt(double x) { return 1.0 / __builtin_sqrt(x); }

__MUSA_MATH void __musa_sincosf(float x, float *s, float *c)
{
	*s = __musa_sinf(x);
	*c = __musa_cosf(x);
}

__MUSA_MATH void __musa_sincos(double x, double *s, double *c)
{
	*s = __musa_sin(x);
	*c = __musa_cos(x);
}

__MUSA_MATH float __musa_expm1f(float x) { return (float)__musa_expm1(x); }
__MUSA_MATH float __musa_log1pf(float x) { return (float)__musa_log1p(x); }
__MUSA_MATH float __musa_sinhf(float x) { return (float)__musa_sinh(x); }
__MUSA_MATH float __musa_coshf(float x) { return (float)__musa_cosh(x); }
__MUSA_MATH float __musa_tanhf(float x) { return (float)__musa_tanh(x); }
__MUSA_MATH float __musa_atanf(float x) { return (float)__musa_atan(x); }
__MUSA_MATH float __musa_atan2f(float y, float x) { return (float)__musa_atan2(y, x); }
__MUSA_MATH float __musa_asinf(float x) { return (float)__musa_asin(x); }
__MUSA_MATH float __musa_acosf(float x) { return (float)__musa_acos(x); }
__MUSA_MATH float __musa_hypotf(float x, float y) { return (float)__musa_hypot(x, y); }
__MUSA_MATH float __musa_cbrtf(float x) { return (float)__musa_cbrt(x); }

/* -------------------------------------------------------------- erf, erfc */

/*
 * erf(x) for 0 <= x < 2: 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1 3 5 ... (2n+1)),
 * a series of positive terms (no cancellation), at most 31 of them.
 */
__MUSA_MATH double __musa_erf_series(double x)
{
	double x2 = x * x, t = x, s = x;
	int n;

	for (n = 1; t > 1e-17 * s; n++) {
		t *= 2.0 * x2 / (2 * n + 1);
		s += t;
	}
	return 0x1.20dd750429b6dp+0 * __musa_exp(-x2) * s;
}

/* erfc(x) for x >= 2: its continued fraction, 24 levels (1e-10 relative at 2) */
__MUSA_MATH double __musa_erfc_fraction(double x)
{
	double f = x;
	int k;

	if (x > 10.1)
		return 0.0;
	for (k = 24; k > 0; k--)
		f = x + 0.5 * k / f;
	return 0x1.20dd750429b6dp-1 * __musa_exp(-x * x) / f;
}

__MUSA_MATH float __musa_erff(float x)
{
	double a = __builtin_fabs((double)x);

	if (a != a)
		return x;
	return __builtin_copysignf((float)(a < 2.0 ? __musa_erf_series(a) :
					   1.0 - __musa_erfc_fraction(a)), x);
}

__MUSA_MATH float __musa_erfcf(float x)
{
	double a = __builtin_fabs((double)x), r;

	if (a != a)
		return x;
	r = a < 2.0 ? 1.0 - __musa_erf_series(a) : __musa_erfc_fraction(a);
	return (float)(x < 0.0f ? 2.0 - r : r);
}

/* ---------------------------------------------------------- fast intrinsics */

/* 2^t in float: 2^f on |f| <= 1/2 by Taylor terms of e^(f ln 2) to f^7 */
__MUSA_MATH float __musa_exp2f_fast(float t)
{
	float n, f, p;
	int k;

	if (!(t < 128.0f))
		return t != t ? t : __builtin_inff();
	if (t < -150.0f)
		return 0.0f;
	n = __musa_rintf(t);
	f = t - n;
	p = 1.0f + f * (0x1.62e430p-1f + f * (0x1.ebfbe0p-3f + f * (0x1.c6b08ep-5f +
	    f * (0x1.3b2ab6p-7f + f * (0x1.5d87fep-10f + f * (0x1.430912p-13f +
	    f * 0x1.ffcbfcp-17f))))));
	k = (int)n;
	if (k < -126)
		return p * __uint_as_float((unsigned int)(k + 127 + 64) << 23) * 0x1p-64f;
	if (k > 127)
		return p * 0x1p127f * 2.0f;
	return p * __uint_as_float((unsigned int)(k + 127) << 23);
}

/* log2(x) in float: e + 2 atanh(s) / ln 2 with s = (m - 1) / (m + 1), |s| < 0.172 */
__MUSA_MATH float __musa_log2f_fast(float x)
{
	unsigned int u = __float_as_uint(x);
	int e;
	float m, s, z;

	if (!(x > 0.0f) || !__musa_isfinitef(x)) {
		if (x != x || x > 0.0f)
			return x;
		return x == 0.0f ? -__builtin_inff() : __builtin_nanf("");
	}
	e = -127;
	if (u < 0x00800000u) {
		u = __float_as_uint(x * 0x1p23f);
		e -= 23;
	}
	e += (int)(u >> 23);
	u = (u & 0x007fffffu) | 0x3f800000u;
	if (u >= 0x3fb504f3u) {		/* sqrt(2) */
		u -= 0x00800000u;
		e++;
	}
	m = __uint_as_float(u);
	s = (m - 1.0f) / (m + 1.0f);
	z = s * s;
	return (float)e + s * (0x1.715476p+1f + z * (0x1.ec709ep-1f + z * (0x1.2776c6p-1f +
	       z * (0x1.a61762p-2f + z * 0x1.484b14p-2f))));
}

/*
 * sin or cos of x in float, for |x| up to a few pi like CUDA's __sinf; where the
 * short reduction fails (huge x, Inf, NaN) the accurate function answers.
 */
__MUSA_MATH float __musa_sincosf_fast(float x, int want_cos)
{
	float k = __musa_rintf(x * 0x1.45f306p-1f);	/* 2/pi */
	float r = ((x - k * 0x1.92p+0f) - k * 0x1.fb5444p-12f) - k * 0x1.68c234p-39f;
	float z = r * r, s, c;
	int q;

	if (!(__builtin_fabsf(r) <= 0.8f))
		return want_cos ? __musa_cosf(x) : __musa_sinf(x);
	q = ((int)(k - 4.0f * __musa_floorf(k * 0.25f)) + want_cos) & 3;	/* k mod 4 */
	s = r + r * z * (-0x1.555556p-3f + z * (0x1.111112p-7f + z * (-0x1.a01a02p-13f +
	    z * 0x1.71de3ap-19f)));
	c = 1.0f - 0.5f * z + z * z * (0x1.555556p-5f + z * (-0x1.6c16c2p-10f +
	    z * (0x1.a01a02p-16f - z * 0x1.27e4fcp-22f)));
	switch (q) {
	case 0:
		return s;
	case 1:
		return c;
	case 2:
		return -s;
	default:
		return -c;
	}
}

__MUSA_MATH float __expf(float x) { return __musa_exp2f_fast(x * 0x1.715476p+0f); }
__MUSA_MATH float __exp10f(float x) { return __musa_exp2f_fast(x * 0x1.a934f0p+1f); }
__MUSA_MATH float __log2f(float x) { return __musa_log2f_fast(x); }
__MUSA_MATH float __logf(float x) { return __musa_log2f_fast(x) * 0x1.62e430p-1f; }
__MUSA_MATH float __log10f(float x) { return __musa_log2f_fast(x) * 0x1.344136p-2f; }
__MUSA_MATH float __powf(float x, float y) { return __musa_exp2f_fast(y * __musa_log2f_fast(x)); }
__MUSA_MATH float __sinf(float x) { return __musa_sincosf_fast(x, 0); }
__MUSA_MATH float __cosf(float x) { return __musa_sincosf_fast(x, 1); }
__MUSA_MATH float __tanf(float x) { return __sinf(x) / __cosf(x); }

__MUSA_MATH void __sincosf(float x, float *s, float *c)
{
	*s = __sinf(x);
	*c = __cosf(x);
}

__MUSA_MATH float __fdividef(float x, float y) { return x / y; }

/* clamps to [0, 1]; NaN gives 0 */
__MUSA_MATH float __saturatef(float x)
{
	return x >= 1.0f ? 1.0f : x > 0.0f ? x : 0.0f;
}

/* Round-to-nearest arithmetic that is never contracted into an FMA. */
__MUSA_MATH float __fadd_rn(float x, float y) { return x + y; }
__MUSA_MATH float __fsub_rn(float x, float y) { return x - y; }
__MUSA_MATH float __fmul_rn(float x, float y) { return x * y; }
__MUSA_MATH float __fdiv_rn(float x, float y) { return x / y; }
__MUSA_MATH float __fsqrt_rn(float x) { return __builtin_sqrtf(x); }
__MUSA_MATH float __frcp_rn(float x) { return 1.0f / x; }
__MUSA_MATH float __frsqrt_rn(float x) { return __musa_rsqrtf(x); }
__MUSA_MATH float __fmaf_rn(float x, float y, float z) { return __builtin_fmaf(x, y, z); }
__MUSA_MATH double __dadd_rn(double x, double y) { return x + y; }
__MUSA_MATH double __dsub_rn(double x, double y) { return x - y; }
__MUSA_MATH double __dmul_rn(double x, double y) { return x * y; }
__MUSA_MATH double __ddiv_rn(double x, double y) { return x / y; }
__MUSA_MATH double __dsqrt_rn(double x) { return __builtin_sqrt(x); }
__MUSA_MATH double __drcp_rn(double x) { return 1.0 / x; }
__MUSA_MATH double __fma_rn(double x, double y, double z) { return __builtin_fma(x, y, z); }

#endif /* MUSA_MATH_FLOAT_H */
